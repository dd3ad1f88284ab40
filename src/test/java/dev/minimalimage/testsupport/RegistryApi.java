package dev.minimalimage.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads what a Distribution registry stores, over its HTTP API (plain http), independently of the code under test:
 * manifests as served, their Docker-Content-Digest and blob sizes.
 */
public final class RegistryApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String host;
    private final String basicAuth;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RegistryApi(String host, String user, String password) {
        this.host = host;
        this.basicAuth = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public String host() {
        return host;
    }

    /** The manifest exactly as the registry serves it (bytes whose sha256 is the digest). */
    public byte[] manifest(String repository, String reference) {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/manifests/" + reference,
                "application/vnd.oci.image.manifest.v1+json");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET manifest " + repository + ":" + reference + " -> " + response.statusCode());
        }
        return response.body();
    }

    /**
     * A manifest of any media type (image manifest or index) as the registry serves it for {@code accept}; empty when
     * the registry answers 404.
     */
    public Optional<byte[]> manifest(String repository, String reference, String accept) {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/manifests/" + reference, accept);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new AssertionError("GET manifest " + repository + ":" + reference + " -> " + response.statusCode());
        }
        return Optional.of(response.body());
    }

    /** A stored blob's bytes. */
    public byte[] blob(String repository, String digest) {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/blobs/" + digest, "*/*");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET blob " + digest + " -> " + response.statusCode());
        }
        return response.body();
    }

    /** HTTP status of a GET of {@code path} under /v2/ (to probe an API the registry may not have). */
    public int status(String path) {
        return get("/v2/" + path, "*/*").statusCode();
    }

    public Optional<String> dockerContentDigest(String repository, String reference) {
        return get("/v2/" + repository + "/manifests/" + reference, "application/vnd.oci.image.manifest.v1+json")
                .headers().firstValue("Docker-Content-Digest");
    }

    /** The image configuration (the config blob) of {@code repository:reference}, as stored. */
    public JsonNode config(String repository, String reference) throws IOException {
        String digest = JSON.readTree(manifest(repository, reference)).at("/config/digest").asText();
        HttpResponse<byte[]> response = get("/v2/" + repository + "/blobs/" + digest, "*/*");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET blob " + digest + " -> " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    /** Size of a stored blob as the registry reports it (HEAD Content-Length). */
    public long blobSize(String repository, String digest) {
        HttpResponse<byte[]> response = send(request("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (response.statusCode() != 200) {
            throw new AssertionError("HEAD blob " + digest + " -> " + response.statusCode());
        }
        return response.headers().firstValueAsLong("Content-Length").orElseThrow();
    }

    /** What the registry stores for one image: the manifest's bytes plus its config and layer blobs. */
    public long storedBytes(String repository, byte[] manifestBytes) throws IOException {
        JsonNode manifest = JSON.readTree(manifestBytes);
        long total = manifestBytes.length + blobSize(repository, manifest.at("/config/digest").asText());
        for (JsonNode layer : manifest.get("layers")) {
            total += blobSize(repository, layer.get("digest").asText());
        }
        return total;
    }

    /** HTTP status of GET /v2/ (200 open, 401 behind auth); -1 when nothing answers. */
    public int ping() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notListening) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpResponse<byte[]> get(String path, String accept) {
        return send(request(path).header("Accept", accept));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (basicAuth != null) {
            request.header("Authorization", basicAuth);
        }
        return request;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String base() {
        return "http://" + host;
    }
}
