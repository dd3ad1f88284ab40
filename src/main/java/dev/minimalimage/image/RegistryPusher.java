package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.ResponseException;
import com.google.cloud.tools.jib.registry.RegistryClient;
import com.google.cloud.tools.jib.registry.RegistryCredentialsNotSentException;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;

/**
 * Pushes an assembled image with Jib's registry client (token and basic auth, cross-repository checks), retrying
 * transient failures with exponential backoff. Never logs credentials: only Jib's warnings and our own messages.
 */
public final class RegistryPusher {

    /** Where and how to push. {@code dockerConfig} null means $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
    public record Target(String imageReference, Path dockerConfig, boolean insecure, int attempts, Duration firstBackoff) {
        public Target {
            attempts = Math.max(1, attempts);
            firstBackoff = firstBackoff == null ? Duration.ofMillis(500) : firstBackoff;
        }
    }

    private final Consumer<String> warnings;

    public RegistryPusher(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    /** Pushes and returns the manifest digest the registry acknowledged. */
    public String push(AssembledImage image, Target target) throws PushException, InterruptedException {
        ImageReference reference = parse(target.imageReference());
        Credential credential = credentialFor(reference, target.dockerConfig());
        Duration backoff = target.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return pushOnce(image, reference, credential, target.insecure());
            } catch (PushException e) {
                if (e.kind() != PushException.Kind.UNAVAILABLE || attempt >= target.attempts()) {
                    throw e;
                }
                warnings.accept("push attempt " + attempt + " failed (" + e.getMessage() + "); retrying in "
                        + backoff.toMillis() + " ms");
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    public static ImageReference parse(String imageReference) {
        try {
            return ImageReference.parse(imageReference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("invalid image reference: " + imageReference, e);
        }
    }

    private String pushOnce(AssembledImage image, ImageReference reference, Credential credential, boolean insecure)
            throws PushException {
        Consumer<LogEvent> log = this::forwardWarnings;
        FailoverHttpClient http = new FailoverHttpClient(insecure, insecure, log);
        try {
            RegistryClient client = RegistryClient
                    .factory(EventHandlers.builder().add(LogEvent.class, log).build(), reference.getRegistry(),
                            reference.getRepository(), http)
                    .setCredential(credential)
                    .setUserAgent("minimal-image")
                    .newRegistryClient();
            if (!client.doPushBearerAuth() && credential != null) {
                client.configureBasicAuth();
            }
            for (Blob blob : image.blobsInPushOrder()) {
                DescriptorDigest digest = DescriptorDigest.fromDigest(blob.digest());
                if (client.checkBlob(digest).isEmpty()) {
                    client.pushBlob(digest, Blobs.from(out -> out.write(blob.bytes()), true), null, n -> { });
                }
            }
            String tagOrDigest = reference.getQualifier();
            DescriptorDigest pushed = client.pushManifest(image.manifestTemplate(), tagOrDigest);
            if (!pushed.toString().equals(image.digest())) {
                throw new PushException(PushException.Kind.REJECTED, "registry stored manifest " + pushed
                        + " but the assembled manifest is " + image.digest(), null);
            }
            return pushed.toString();
        } catch (RegistryUnauthorizedException | RegistryCredentialsNotSentException e) {
            throw new PushException(PushException.Kind.UNAUTHORIZED, authMessage(reference, credential, e), e);
        } catch (RegistryException | IOException | java.security.DigestException e) {
            throw classify(reference, e);
        } finally {
            shutDown(http);
        }
    }

    private static String authMessage(ImageReference reference, Credential credential, Exception e) {
        if (e instanceof RegistryCredentialsNotSentException) {
            return "registry " + reference.getRegistry() + " wants credentials but the connection is plain HTTP;"
                    + " use HTTPS or mark the registry insecure";
        }
        return (credential == null ? "no credentials for " : "credentials rejected by ") + reference.getRegistry()
                + " (push to " + reference.getRepository() + " unauthorized)";
    }

    private static PushException classify(ImageReference reference, Exception e) {
        Integer status = httpStatus(e);
        String where = reference.getRegistry();
        if (status != null && (status == 401 || status == 403)) {
            return new PushException(PushException.Kind.UNAUTHORIZED, "registry " + where + " answered " + status, e);
        }
        if (status != null && status < 500 && status != 429 && status != 408) {
            return new PushException(PushException.Kind.REJECTED, "registry " + where + " answered " + status + ": "
                    + firstLine(e.getMessage()), e);
        }
        if (status == null && !isNetworkFailure(e)) {
            return new PushException(PushException.Kind.REJECTED, "push to " + where + " failed: "
                    + firstLine(e.getMessage()), e);
        }
        String detail = status != null ? "answered " + status : "unreachable: " + rootMessage(e);
        return new PushException(PushException.Kind.UNAVAILABLE, "registry " + where + " " + detail, e);
    }

    /** Connection refused, DNS, TLS and timeouts all surface as an IOException somewhere in the cause chain. */
    private static boolean isNetworkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static Integer httpStatus(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ResponseException response) {
                return response.getStatusCode();
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private Credential credentialFor(ImageReference reference, Path dockerConfig) throws PushException {
        CredentialRetrieverFactory factory = CredentialRetrieverFactory.forImage(reference, this::forwardWarnings);
        try {
            Optional<Credential> credential = dockerConfig == null ? factory.dockerConfig().retrieve()
                    : factory.dockerConfig(dockerConfig).retrieve();
            return credential.orElse(null);
        } catch (CredentialRetrievalException e) {
            throw new PushException(PushException.Kind.UNAUTHORIZED, "cannot read registry credentials for "
                    + reference.getRegistry() + " from the Docker config: " + firstLine(e.getMessage()), e);
        }
    }

    private void forwardWarnings(LogEvent event) {
        boolean expectedFailover = event.getMessage().startsWith("Cannot verify server at https://")
                || event.getMessage().startsWith("Failed to connect to https://");
        if (!expectedFailover && (event.getLevel() == LogEvent.Level.WARN || event.getLevel() == LogEvent.Level.ERROR)) {
            warnings.accept(event.getMessage());
        }
    }

    private static void shutDown(FailoverHttpClient http) {
        try {
            http.shutDown();
        } catch (IOException ignored) {
            // closing idle connections of a finished push; nothing to recover
        }
    }
}
