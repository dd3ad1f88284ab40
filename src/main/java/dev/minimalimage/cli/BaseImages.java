package dev.minimalimage.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.image.json.BuildableManifestTemplate;
import com.google.cloud.tools.jib.image.json.ManifestListTemplate;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.registry.ManifestAndDigest;
import com.google.cloud.tools.jib.registry.RegistryClient;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;

import dev.minimalimage.dockerfile.LayerUnpacker;
import dev.minimalimage.dockerfile.RootedFs;

/**
 * The images a Dockerfile's FROM and COPY --from name, pulled with Jib's registry client (credentials from the Docker
 * config, like a push) and unpacked once per build into a directory of their own: the linux/amd64 image of a list,
 * its layers applied in order, its Env, WorkingDir and User read from its config.
 */
final class BaseImages {

    /**
     * An unpacked image: its root on this host, the manifest digest it was pulled by, and its process settings;
     * {@code cached}: the root lies in the cache directory, to be copied, never changed or moved.
     */
    record Pulled(String reference, String digest, Path root, List<String> env, String workingDir, String user,
            boolean cached) {
    }

    /** A pull that failed: the image does not exist, the registry refused or could not be reached. */
    static final class PullFailedException extends Exception {
        PullFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path directory;
    private final Path cache;
    private final boolean insecure;
    private final Path dockerConfig;
    private final Consumer<String> warnings;
    private final Map<String, Pulled> pulled = new HashMap<>();

    /** {@code cache}: where unpacked images are kept between builds, by manifest digest (null: nowhere). */
    BaseImages(Path directory, Path cache, boolean insecure, Path dockerConfig, Consumer<String> warnings) {
        this.directory = directory;
        this.cache = cache;
        this.insecure = insecure;
        this.dockerConfig = dockerConfig;
        this.warnings = warnings;
    }

    /** The image unpacked (once per build; later calls reuse it: do not change its root). */
    Pulled pull(String image) throws PullFailedException, IOException {
        Pulled done = pulled.get(image);
        if (done == null) {
            done = fetch(image);
            pulled.put(image, done);
        }
        return done;
    }

    private Pulled fetch(String image) throws PullFailedException, IOException {
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (InvalidImageReferenceException e) {
            throw new PullFailedException("FROM " + image + " is not a valid image reference", e);
        }
        FailoverHttpClient http = new FailoverHttpClient(insecure, insecure, this::log);
        try {
            RegistryClient client = RegistryClient.factory(EventHandlers.builder().add(LogEvent.class, this::log)
                    .build(), reference.getRegistry(), reference.getRepository(), http)
                    .setCredential(credential(reference)).setUserAgent("minimal-image").newRegistryClient();
            client.doPullBearerAuth();
            ManifestAndDigest<ManifestTemplate> found = client.pullManifest(reference.getQualifier());
            DescriptorDigest digest = found.getDigest();
            ManifestTemplate manifest = found.getManifest();
            if (manifest instanceof ManifestListTemplate list) {
                List<String> digests = list.getDigestsForPlatform("amd64", "linux");
                if (digests.isEmpty()) {
                    throw new PullFailedException(image + " has no linux/amd64 image in its list", null);
                }
                found = client.pullManifest(digests.get(0));
                digest = found.getDigest();
                manifest = found.getManifest();
            }
            if (!(manifest instanceof BuildableManifestTemplate buildable)) {
                throw new PullFailedException(image + ": an old (schema 1) manifest; push it again with a current"
                        + " client", null);
            }
            JsonNode config = JSON.readTree(blob(client, buildable.getContainerConfiguration().getDigest()))
                    .path("config");
            Path cached = cache == null ? null : cache.resolve(digest.getHash());
            if (cached != null && Files.exists(cache.resolve(digest.getHash() + ".done"))) {
                return pulled(image, digest, cached, config, true);
            }
            Path root = Files.createDirectories(directory.resolve(digest.getHash()));
            for (BuildableManifestTemplate.ContentDescriptorTemplate layer : buildable.getLayers()) {
                Path file = Files.createTempFile(directory, "layer", ".blob");
                try {
                    try (OutputStream out = Files.newOutputStream(file)) {
                        client.pullBlob(layer.getDigest(), size -> { }, written -> { }).writeTo(out);
                    }
                    try (InputStream in = Files.newInputStream(file)) {
                        LayerUnpacker.apply(in, new RootedFs(root));
                    }
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            if (cached != null) { // complete before it is marked: a build that died halfway leaves no half image
                Files.createDirectories(cache);
                Trees.delete(cached);
                Files.move(root, cached);
                Files.createFile(cache.resolve(digest.getHash() + ".done"));
                return pulled(image, digest, cached, config, true);
            }
            return pulled(image, digest, root, config, false);
        } catch (RegistryException e) {
            throw new PullFailedException("cannot pull " + image + " from " + reference.getRegistry() + ": "
                    + firstLine(e.getMessage()) + (insecure ? "" : " (a plain-HTTP registry needs --insecure)"), e);
        } catch (IOException e) {
            throw new PullFailedException("cannot pull " + image + " from " + reference.getRegistry() + ": " + e
                    + (insecure ? "" : " (a plain-HTTP registry needs --insecure)"), e);
        } finally {
            try {
                http.shutDown();
            } catch (IOException ignored) {
                // the pull's outcome stands
            }
        }
    }

    private static Pulled pulled(String image, DescriptorDigest digest, Path root, JsonNode config, boolean cached) {
        return new Pulled(image, digest.toString(), root, strings(config.path("Env")), text(config.path("WorkingDir")),
                text(config.path("User")), cached);
    }

    private static byte[] blob(RegistryClient client, DescriptorDigest digest) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        client.pullBlob(digest, size -> { }, written -> { }).writeTo(out);
        return out.toByteArray();
    }

    private Credential credential(ImageReference reference) throws PullFailedException {
        CredentialRetrieverFactory factory = CredentialRetrieverFactory.forImage(reference, this::log);
        try {
            Optional<Credential> credential = dockerConfig == null ? factory.dockerConfig().retrieve()
                    : factory.dockerConfig(dockerConfig).retrieve();
            return credential.orElse(null);
        } catch (CredentialRetrievalException e) {
            throw new PullFailedException("cannot read registry credentials for " + reference.getRegistry()
                    + " from the Docker config: " + firstLine(e.getMessage()), e);
        }
    }

    private void log(LogEvent event) {
        if (event.getLevel() == LogEvent.Level.WARN || event.getLevel() == LogEvent.Level.ERROR) {
            if (!event.getMessage().startsWith("Cannot verify server at https://")
                    && !event.getMessage().startsWith("Failed to connect to https://")) {
                warnings.accept(event.getMessage());
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static String text(JsonNode node) {
        String value = node.asText("");
        return value.isEmpty() ? null : value;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
