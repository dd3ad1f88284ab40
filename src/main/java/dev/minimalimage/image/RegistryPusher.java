package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
        return prepare(target).push(image);
    }

    /**
     * Starts connecting and authenticating in the background, so that a cold JVM loads the HTTP and TLS stack while
     * the caller is still assembling the image; {@link PendingPush#push} then only uploads.
     */
    public PendingPush prepare(Target target) {
        ImageReference reference = parse(target.imageReference());
        CompletableFuture<Connection> first = new CompletableFuture<>();
        Thread connector = new Thread(() -> {
            try {
                first.complete(connect(reference, target));
            } catch (PushException | RuntimeException e) {
                first.completeExceptionally(e);
            }
        }, "registry-connect");
        connector.setDaemon(true);
        connector.start();
        return new PendingPush(reference, target, first);
    }

    public static ImageReference parse(String imageReference) {
        try {
            return ImageReference.parse(imageReference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("invalid image reference: " + imageReference, e);
        }
    }

    /** A push whose connection is being set up; retries reconnect with exponential backoff. */
    public final class PendingPush {
        private final ImageReference reference;
        private final Target target;
        private final CompletableFuture<Connection> first;

        private PendingPush(ImageReference reference, Target target, CompletableFuture<Connection> first) {
            this.reference = reference;
            this.target = target;
            this.first = first;
        }

        public String push(AssembledImage image) throws PushException, InterruptedException {
            Duration backoff = target.firstBackoff();
            for (int attempt = 1; ; attempt++) {
                Connection connection = null;
                try {
                    connection = attempt == 1 ? await(first) : connect(reference, target);
                    return connection.upload(image);
                } catch (PushException e) {
                    if (e.kind() != PushException.Kind.UNAVAILABLE || attempt >= target.attempts()) {
                        throw e;
                    }
                    warnings.accept("push attempt " + attempt + " failed (" + e.getMessage() + "); retrying in "
                            + backoff.toMillis() + " ms");
                    Thread.sleep(backoff.toMillis());
                    backoff = backoff.multipliedBy(2);
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
            }
        }

        private Connection await(CompletableFuture<Connection> connection) throws PushException, InterruptedException {
            try {
                return connection.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PushException push) {
                    throw push;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private Connection connect(ImageReference reference, Target target) throws PushException {
        Credential credential = credentialFor(reference, target.dockerConfig());
        Consumer<LogEvent> log = this::forwardWarnings;
        FailoverHttpClient http = new FailoverHttpClient(target.insecure(), target.insecure(), log);
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
            return new Connection(reference, credential, http, client);
        } catch (RegistryUnauthorizedException | RegistryCredentialsNotSentException e) {
            shutDown(http);
            throw new PushException(PushException.Kind.UNAUTHORIZED, authMessage(reference, credential, e), e);
        } catch (RegistryException | IOException e) {
            shutDown(http);
            throw classify(reference, e);
        }
    }

    /** An authenticated client for one repository. */
    private record Connection(ImageReference reference, Credential credential, FailoverHttpClient http,
            RegistryClient client) {

        String upload(AssembledImage image) throws PushException {
            try {
                for (Blob blob : image.blobsInPushOrder()) {
                    DescriptorDigest digest = DescriptorDigest.fromDigest(blob.digest());
                    if (client.checkBlob(digest).isEmpty()) {
                        client.pushBlob(digest, Blobs.from(out -> out.write(blob.bytes()), true), null, n -> { });
                    }
                }
                DescriptorDigest pushed = client.pushManifest(image.manifestTemplate(), reference.getQualifier());
                if (!pushed.toString().equals(image.digest())) {
                    throw new PushException(PushException.Kind.REJECTED, "registry stored manifest " + pushed
                            + " but the assembled manifest is " + image.digest(), null);
                }
                return pushed.toString();
            } catch (RegistryUnauthorizedException | RegistryCredentialsNotSentException e) {
                throw new PushException(PushException.Kind.UNAUTHORIZED, authMessage(reference, credential, e), e);
            } catch (RegistryException | IOException | java.security.DigestException e) {
                throw classify(reference, e);
            }
        }

        void close() {
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
