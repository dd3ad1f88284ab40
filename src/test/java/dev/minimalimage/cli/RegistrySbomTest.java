package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.RegistryApi;

/**
 * `package --image` pushes the SBOM as an OCI 1.1 referrer of the image into the image's repository. The test
 * registry (Debian's docker-registry 2.8) has no referrers API, so the SBOM is listed under the referrers tag schema's
 * tag {@code sha256-<hex>}; everything here is read back over the registry's HTTP API alone, from the image digest.
 */
class RegistrySbomTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String CYCLONEDX = "application/vnd.cyclonedx+json";

    @TempDir
    static Path work;
    static LocalRegistry registry;
    static Path hello;

    @BeforeAll
    static void startRegistryAndCompile() throws Exception {
        registry = LocalRegistry.start(work.resolve("registry"));
        hello = PackagePushTest.staticHello(Files.createDirectories(work.resolve("hello")));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theSbomIsFoundFromTheImageDigestThroughTheReferrersTagAndASecondPushAddsNothing() throws Exception {
        RegistryApi api = registry.api();
        assertThat(api.status("sbom/referrers/sha256:" + "0".repeat(64))).as("the registry has no referrers API")
                .isEqualTo(404);

        BuildResult first = push("sbom", "v1", "--toolchain-root", "/");

        String imageDigest = first.digest();
        JsonNode index = referrersIndex("sbom", imageDigest);
        assertThat(index.path("mediaType").asText()).isEqualTo(INDEX);
        JsonNode entry = onlyEntry(index, CYCLONEDX);
        assertThat(entry.path("digest").asText()).isEqualTo(first.sbom().referrer());
        assertThat(entry.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        byte[] referrerBytes = api.manifest("sbom", entry.path("digest").asText(), entry.path("mediaType").asText())
                .orElseThrow();
        assertThat(sha256(referrerBytes)).isEqualTo(entry.path("digest").asText());
        assertThat((long) referrerBytes.length).isEqualTo(entry.path("size").asLong());
        JsonNode referrer = JSON.readTree(referrerBytes);
        assertThat(referrer.path("artifactType").asText()).isEqualTo(CYCLONEDX);
        assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(imageDigest);
        assertThat(referrer.path("subject").path("size").asLong())
                .isEqualTo(api.manifest("sbom", "v1").length);
        assertThat(referrer.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.empty.v1+json");
        assertThat(new String(api.blob("sbom", referrer.path("config").path("digest").asText()))).isEqualTo("{}");
        JsonNode layer = referrer.path("layers").get(0);
        assertThat(layer.path("mediaType").asText()).isEqualTo(CYCLONEDX);

        byte[] sbom = api.blob("sbom", layer.path("digest").asText());
        assertThat(sha256(sbom)).isEqualTo(first.sbom().digest());
        assertThat(new JsonParser().validate(sbom, Version.VERSION_16)).isEmpty();
        JsonNode bom = JSON.readTree(sbom);
        assertThat(bom.path("components").size()).isEqualTo(first.sbom().components());
        assertThat(bom.path("components").toString()).contains("\"musl\"").contains("/app/hello");

        BuildResult again = push("sbom", "v1", "--toolchain-root", "/");
        assertThat(again.digest()).isEqualTo(imageDigest);
        assertThat(again.sbom()).as("same bytes, same referrer").isEqualTo(first.sbom());
        assertThat(referrersIndex("sbom", imageDigest)).as("not listed twice").isEqualTo(index);
    }

    @Test
    void aSecondSbomOfTheSameImageIsAddedAndTheFirstKeepsItsEntry() throws Exception {
        BuildResult withVersions = push("two", "v1", "--toolchain-root", "/");
        JsonNode before = onlyEntry(referrersIndex("two", withVersions.digest()), CYCLONEDX);

        BuildResult withoutVersions = push("two", "v1"); // no dpkg database: musl without its version, another SBOM

        assertThat(withoutVersions.digest()).isEqualTo(withVersions.digest());
        assertThat(withoutVersions.sbom().referrer()).isNotEqualTo(withVersions.sbom().referrer());
        JsonNode manifests = referrersIndex("two", withVersions.digest()).path("manifests");
        assertThat(manifests).hasSize(2);
        assertThat(manifests.get(0)).isEqualTo(before);
        assertThat(manifests.get(1).path("digest").asText()).isEqualTo(withoutVersions.sbom().referrer());
        assertThat(manifests.get(1).path("artifactType").asText()).isEqualTo(CYCLONEDX);
    }

    @Test
    void aReferrersTagHoldingAnImageIsNotOverwrittenAndTheRecordSaysTheSbomWasNotPushed() throws Exception {
        CliRun layout = CliRun.of("package", "--oci-layout", work.resolve("layout").toString(), "--tag", "v1",
                hello.toString());
        String imageDigest = layout.result().digest();
        String referrersTag = imageDigest.replace(':', '-');
        Path other = PackagePushTest.staticHello(Files.createDirectories(work.resolve("other")));
        BuildResult squatter = CliRun.of("package", "--image", registry.host() + "/taken:" + referrersTag,
                "--insecure", "--label", "squatter=yes", other.toString()).result();
        assertThat(squatter.succeeded()).isTrue();

        CliRun run = CliRun.of("package", "--image", registry.host() + "/taken:v1", "--insecure",
                "--registry-retry-timeout", "0s", hello.toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(6);
        BuildResult result = run.result();
        assertThat(result.reason()).isEqualTo("PushRejected");
        assertThat(result.message()).contains("its SBOM was not").contains(referrersTag)
                .contains("other than an OCI image index");
        assertThat(result.digest()).as("the image was pushed and the record says which").isEqualTo(imageDigest);
        assertThat(result.sbom()).isNull();
        assertThat(registry.api().manifest("taken", referrersTag)).as("left as it was")
                .isEqualTo(registry.api().manifest("taken", squatter.digest()));
    }

    @Test
    void behindAuthTheReferrersTagIsReadAndWrittenWithTheImagesCredentials(@TempDir Path dir) throws Exception {
        String password = "sbom-Pa55-" + System.nanoTime();
        try (LocalRegistry secured = LocalRegistry.start(dir.resolve("auth-registry"), "builder", password)) {
            String auth = java.util.Base64.getEncoder().encodeToString(("builder:" + password).getBytes());
            Path config = Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"" + secured.host()
                    + "\":{\"auth\":\"" + auth + "\"}}}");

            CliRun run = CliRun.of("package", "--image", secured.host() + "/private:1", "--insecure",
                    "--docker-config", config.toString(), hello.toString());

            assertThat(run.exitCode()).as(run.all()).isZero();
            assertThat(run.all()).doesNotContain(password).doesNotContain(auth);
            BuildResult result = run.result();
            JsonNode index = JSON.readTree(secured.api().manifest("private", result.digest().replace(':', '-'), INDEX)
                    .orElseThrow());
            assertThat(onlyEntry(index, CYCLONEDX).path("digest").asText()).isEqualTo(result.sbom().referrer());
        }
    }

    @Test
    void aRegistryWithTheReferrersApiGetsTheReferrerByDigestAndNoReferrersTag() throws Exception {
        try (ReferrersApiProxy withApi = new ReferrersApiProxy(registry.host(),
                dev.minimalimage.testsupport.TestCertificates.create(work.resolve("certificates")))) {
            BuildResult result = pushTo(withApi.host(), "api", "v1");

            assertThat(withApi.referrersQueries()).containsExactly("/v2/api/referrers/" + result.digest());
            assertThat(registry.api().manifest("api", result.digest().replace(':', '-'), INDEX)).isEmpty();
            JsonNode referrer = JSON.readTree(registry.api().manifest("api", result.sbom().referrer(),
                    "application/vnd.oci.image.manifest.v1+json").orElseThrow());
            assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(result.digest());
        }
    }

    private static BuildResult push(String repository, String tag, String... options) {
        return pushTo(registry.host(), repository, tag, options);
    }

    private static BuildResult pushTo(String host, String repository, String tag, String... options) {
        List<String> args = new ArrayList<>(List.of("package", "--image", host + "/" + repository + ":" + tag,
                "--insecure", "--registry-retry-timeout", "0s"));
        args.addAll(List.of(options));
        args.add(hello.toString());
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        assertThat(result.sbom()).as(run.all()).isNotNull();
        return result;
    }

    private static JsonNode referrersIndex(String repository, String subjectDigest) throws Exception {
        return JSON.readTree(registry.api().manifest(repository, subjectDigest.replace(':', '-'), INDEX)
                .orElseThrow(() -> new AssertionError("no referrers tag for " + subjectDigest)));
    }

    private static JsonNode onlyEntry(JsonNode index, String artifactType) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            if (artifactType.equals(entry.path("artifactType").asText())) {
                found.add(entry);
            }
        }
        assertThat(found).as(index.toString()).hasSize(1);
        return found.get(0);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * The test registry as a registry with the referrers API would look to a client: every request forwarded to it,
     * except {@code GET /v2/NAME/referrers/DIGEST}, answered 200 with an (empty) index as such a registry answers.
     * It speaks HTTPS with a certificate no one trusts, so --insecure takes it (a plain-HTTP HttpServer would leave
     * Jib's first TLS handshake waiting for a request line until it times out).
     */
    static final class ReferrersApiProxy implements AutoCloseable {
        /** Headers java.net.http sets itself (or refuses), and the encoding it would not undo. */
        private static final java.util.Set<String> NOT_FORWARDED = java.util.Set.of("host", "connection",
                "content-length", "expect", "upgrade", "accept-encoding", "transfer-encoding");
        private final com.sun.net.httpserver.HttpsServer server;
        private final String target;
        private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        private final List<String> referrersQueries = new java.util.concurrent.CopyOnWriteArrayList<>();

        ReferrersApiProxy(String target, dev.minimalimage.testsupport.TestCertificates certificates)
                throws Exception {
            this.target = target;
            server = com.sun.net.httpserver.HttpsServer.create(new java.net.InetSocketAddress(
                    java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(certificates.serverContext()));
            server.createContext("/", this::handle);
            server.start();
        }

        String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        List<String> referrersQueries() {
            return List.copyOf(referrersQueries);
        }

        private void handle(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                if (exchange.getRequestMethod().equals("GET") && path.contains("/referrers/")) {
                    referrersQueries.add(path);
                    byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", INDEX);
                    exchange.sendResponseHeaders(200, index.length);
                    exchange.getResponseBody().write(index);
                    return;
                }
                forward(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void forward(com.sun.net.httpserver.HttpExchange exchange)
                throws java.io.IOException, InterruptedException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://" + target + exchange.getRequestURI())).method(
                            exchange.getRequestMethod(), java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            java.net.http.HttpResponse<byte[]> response = http.send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            boolean head = exchange.getRequestMethod().equals("HEAD");
            response.headers().map().forEach((name, values) -> {
                String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (!lower.startsWith(":") && !lower.equals("transfer-encoding")
                        && (head || !lower.equals("content-length"))) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            boolean empty = head || response.body().length == 0;
            exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : response.body().length);
            if (!empty) {
                exchange.getResponseBody().write(response.body());
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
