package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * transient failures within a time budget ({@link RegistryRetry}). Never logs credentials: only Jib's warnings and our
 * own messages, which name the registry host, never a URL.
 */
public final class RegistryPusher {

    /**
     * Where and how to push. {@code dockerConfig} null means $DOCKER_CONFIG/config.json or ~/.docker/config.json;
     * {@code retryBudget} null means {@link RegistryRetry#DEFAULT_BUDGET}; {@code maxAttempts} 0 means as many as the
     * budget allows.
     */
    public record Target(String imageReference, Path dockerConfig, boolean insecure, Duration retryBudget,
            int maxAttempts) {
        public Target {
            retryBudget = retryBudget == null ? RegistryRetry.DEFAULT_BUDGET : retryBudget;
            maxAttempts = Math.max(0, maxAttempts);
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
            } catch (Error e) { // a class that cannot load, no memory: the push must fail, not wait for ever
                first.completeExceptionally(e);
                throw e;
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

    /**
     * A push whose connection is being set up; each retry reconnects (see {@link RegistryRetry}). A connection that
     * served a push serves the next one (the image's SBOM after the image), so that one neither authenticates nor
     * finds out again whether the registry speaks TLS; {@link #close} ends it.
     */
    public final class PendingPush implements AutoCloseable {
        private final ImageReference reference;
        private final Target target;
        private final CompletableFuture<Connection> first;
        /** The prepared connection serves the first attempt of the first push only. */
        private boolean firstUsed;
        /** The connection of the last push that succeeded, for the next one; null after a failure. */
        private Connection open;

        private PendingPush(ImageReference reference, Target target, CompletableFuture<Connection> first) {
            this.reference = reference;
            this.target = target;
            this.first = first;
        }

        public String push(AssembledImage image) throws PushException, InterruptedException {
            return push(image, null, null).get(0);
        }

        /**
         * Pushes {@code image} under the target's tag and then, when {@code twin} is not null, {@code twin} under
         * {@code twinTag} in the same repository, over one connection and one retry budget. Blobs the registry
         * already has (the twin's shared layers, uploaded a moment before) are not uploaded again. Returns the
         * manifest digests, {@code image}'s first.
         */
        public List<String> push(AssembledImage image, AssembledImage twin, String twinTag)
                throws PushException, InterruptedException {
            return withRetry(connection -> {
                List<String> digests = new ArrayList<>();
                digests.add(connection.upload(image, reference.getQualifier()));
                if (twin != null) {
                    digests.add(connection.upload(twin, twinTag));
                }
                return digests;
            });
        }

        /**
         * Pushes a multi-platform image: every platform's image by its digest (untagged: only the index names them),
         * then the index under the target's tag, over one connection and one retry budget. Returns the index's
         * digest.
         */
        public String push(ImageIndex index) throws PushException, InterruptedException {
            return withRetry(connection -> {
                for (ImageIndex.PlatformImage each : index.images()) {
                    connection.upload(each.image(), each.image().digest());
                }
                return connection.pushManifest(index.index(), reference.getQualifier());
            });
        }

        /**
         * Pushes {@code referrer} (an OCI 1.1 artifact whose subject is the manifest {@code subjectDigest}, pushed
         * before) into the same repository, by digest, with the referrers tag schema where the registry has no
         * referrers API ({@link ReferrerPush}); its own retry budget, as long as the image's. Returns the referrer
         * manifest's digest.
         */
        public String pushReferrer(OciLayoutWriter.Referrer referrer, String subjectDigest)
                throws PushException, InterruptedException {
            return withRetry(connection -> connection.referrer(referrer, subjectDigest));
        }

        /** Runs {@code step} on a connection (the prepared one first, then new ones) until it succeeds or retry ends. */
        private <T> T withRetry(Step<T> step) throws PushException, InterruptedException {
            RegistryRetry retry = RegistryRetry.start(target.retryBudget(), target.maxAttempts());
            while (true) {
                Connection connection = open;
                open = null;
                try {
                    if (connection == null) {
                        boolean prepared = !firstUsed;
                        firstUsed = true;
                        connection = prepared ? await(first) : connect(reference, target);
                    }
                    T result = step.run(connection);
                    open = connection;
                    return result;
                } catch (PushException e) {
                    retry.afterFailure(e, warnings); // throws when not transient or the budget is spent
                } finally {
                    if (connection != null && open != connection) {
                        connection.close();
                    }
                }
            }
        }

        /** Closes the connection a push left open (a prepared one never used stays to its daemon thread). */
        @Override
        public void close() {
            if (open != null) {
                open.close();
                open = null;
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

    /** One registry request on a connection, failing as Jib's client fails. */
    @FunctionalInterface
    private interface RegistryCall {
        String run() throws RegistryException, IOException, PushException;
    }

    /** One push's work on a connection. */
    @FunctionalInterface
    private interface Step<T> {
        T run(Connection connection) throws PushException;
    }

    /** Uploads the blobs the repository does not have yet. */
    static void uploadMissing(RegistryClient client, List<Blob> blobs) throws IOException, RegistryException {
        for (Blob blob : blobs) {
            DescriptorDigest digest = descriptorDigest(blob);
            if (client.checkBlob(digest).isEmpty()) {
                client.pushBlob(digest, Blobs.from(out -> out.write(blob.bytes()), true), null, n -> { });
            }
        }
    }

    private static DescriptorDigest descriptorDigest(Blob blob) {
        try {
            return DescriptorDigest.fromHash(blob.hex());
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("a sha256 we computed is always a valid digest: " + blob.digest(), e);
        }
    }

    private Connection connect(ImageReference reference, Target target) throws PushException {
        Credential credential = credentialFor(reference, target.dockerConfig());
        Consumer<LogEvent> log = this::forwardWarnings;
        FailoverHttpClient http = httpClient(target.insecure(), log);
        if (target.insecure() && credential == null) {
            PlainHttpRegistry.rememberIfPlainHttp(http, reference.getRegistry());
        }
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

        String upload(AssembledImage image, String tag) throws PushException {
            return call(() -> {
                uploadMissing(client, image.blobsInPushOrder());
                return checked(client.pushManifest(image.manifestTemplate(), tag), image.digest());
            });
        }

        /** Pushes manifest bytes we wrote (an image index) as they are; returns their digest. */
        String pushManifest(Blob manifest, String tag) throws PushException {
            return call(() -> checked(client.pushManifest(new RawManifest(manifest), tag), manifest.digest()));
        }

        String referrer(OciLayoutWriter.Referrer referrer, String subjectDigest) throws PushException {
            return call(() -> new ReferrerPush(reference, client, http).push(referrer, subjectDigest));
        }

        /** The registry's answer as a PushException: unauthorized, or classified (transient, rejected, ...). */
        private String call(RegistryCall call) throws PushException {
            try {
                return call.run();
            } catch (RegistryUnauthorizedException | RegistryCredentialsNotSentException e) {
                throw new PushException(PushException.Kind.UNAUTHORIZED, authMessage(reference, credential, e), e);
            } catch (RegistryException | IOException e) {
                throw classify(reference, e);
            }
        }

        /** The digest the registry stored, which must be the one we computed for our bytes. */
        private static String checked(DescriptorDigest stored, String assembled) throws PushException {
            if (!stored.toString().equals(assembled)) {
                throw new PushException(PushException.Kind.REJECTED, "registry stored manifest " + stored
                        + " but the assembled manifest is " + assembled, null);
            }
            return stored.toString();
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

    /** Statuses worth another attempt: timeouts, rate limiting and a registry (or its proxy) that is briefly down. */
    private static final java.util.Set<Integer> TRANSIENT_STATUSES = java.util.Set.of(408, 429, 500, 502, 503, 504);

    private static PushException classify(ImageReference reference, Exception e) {
        Integer status = httpStatus(e);
        String where = reference.getRegistry();
        if (status != null && (status == 401 || status == 403)) {
            return new PushException(PushException.Kind.UNAUTHORIZED, "registry " + where + " answered " + status, e);
        }
        if (status != null && status < 500 && !TRANSIENT_STATUSES.contains(status)) {
            return new PushException(PushException.Kind.REJECTED, "registry " + where + " answered " + status + ": "
                    + firstLine(e.getMessage()), e);
        }
        if (status != null) {
            return new PushException(PushException.Kind.UNAVAILABLE, "registry " + where + " answered " + status, e,
                    TRANSIENT_STATUSES.contains(status), retryAfter(e));
        }
        if (isTlsFailure(e)) {
            return new PushException(PushException.Kind.UNAVAILABLE, "TLS connection to registry " + where
                    + " failed (not retried): " + rootMessage(e) + tlsRemedy(e, where), e);
        }
        if (!isNetworkFailure(e)) {
            return new PushException(PushException.Kind.REJECTED, "push to " + where + " failed: "
                    + firstLine(e.getMessage()), e);
        }
        return new PushException(PushException.Kind.UNAVAILABLE, "registry " + where + " unreachable: " + rootMessage(e),
                e, true, null);
    }

    /**
     * A TLS failure that another attempt would meet again: an untrusted or mismatching certificate, no common protocol,
     * a plain-HTTP server on the TLS port. A handshake cut off by the network (EOF, reset) is a network failure.
     */
    private static boolean isTlsFailure(Throwable e) {
        boolean tls = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException || t instanceof java.net.SocketException
                    || t instanceof java.net.SocketTimeoutException) {
                return false;
            }
            tls |= t instanceof javax.net.ssl.SSLException;
        }
        return tls;
    }

    /** The JDK's words when the other side answers a TLS handshake with something that is no TLS record. */
    private static final String NOT_TLS = "Unsupported or unrecognized SSL message";

    /**
     * What to do about a TLS failure: a registry that answers in plain HTTP needs --insecure; a certificate the trust
     * store refuses needs its CA (--ca-bundle); a certificate for another host name needs that name or another
     * certificate, which no flag gives; anything else (no common protocol, say) has no flag that fixes it either.
     * {@code registry} is the registry of the image reference (host, perhaps with a port).
     */
    static String tlsRemedy(Throwable e, String registry) {
        if (isHostNameMismatch(e)) {
            String host = hostOf(registry);
            return "; its certificate does not name the host " + host + " (a certificate for another name, which"
                    + " --ca-bundle cannot fix): push to a name the certificate lists, or give the registry a"
                    + " certificate for " + host;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException && t.getMessage() != null && t.getMessage().contains(NOT_TLS)) {
                return "; the registry speaks plain HTTP, not HTTPS: pass --insecure to push over plain HTTP";
            }
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertPathBuilderException) {
                return "; its certificate is not trusted: if it uses a private CA, pass --ca-bundle FILE";
            }
        }
        return "";
    }

    /** The JDK's words when the certificate is valid but issued for other names (sun.security.util.HostnameChecker). */
    private static final List<String> NAME_MISMATCH = List.of("No subject alternative", "No name matching");

    private static boolean isHostNameMismatch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLPeerUnverifiedException) {
                return true;
            }
            if (t instanceof java.security.cert.CertificateException && t.getMessage() != null
                    && NAME_MISMATCH.stream().anyMatch(t.getMessage()::contains)) {
                return true;
            }
        }
        return false;
    }

    /** "registry.example:5000" -> "registry.example", "[::1]:5000" -> "::1". */
    private static String hostOf(String registry) {
        if (registry.startsWith("[")) {
            int close = registry.indexOf(']');
            return close < 0 ? registry : registry.substring(1, close);
        }
        int colon = registry.lastIndexOf(':');
        return colon < 0 || registry.indexOf(':') != colon ? registry : registry.substring(0, colon);
    }

    /**
     * Jib throws 429 and 5xx answers as its ResponseException, which keeps the response headers, so Retry-After is
     * read from the failed request itself (no extra probe of the registry is needed).
     */
    private static Duration retryAfter(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ResponseException response && response.getHeaders() != null) {
                return RegistryRetry.parseRetryAfter(response.getHeaders().getFirstHeaderStringValue("Retry-After"),
                        java.time.Instant.now()).orElse(null);
            }
        }
        return null;
    }

    /** Connection refused, DNS, resets and timeouts all surface as an IOException somewhere in the cause chain. */
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
        // Jib's own report of an I/O error (three red lines per failed request): the retry line or the final message
        // names the same cause once
        boolean ioErrorReport = event.getMessage().startsWith("\u001b[31;1m");
        if (!expectedFailover && !ioErrorReport && (event.getLevel() == LogEvent.Level.WARN || event.getLevel() == LogEvent.Level.ERROR)) {
            warnings.accept(event.getMessage());
        }
    }

    /**
     * Jib's public constructor turns on its own retry of I/O failures inside each request (google-http-client's
     * ExponentialBackOff, up to 10 retries: about a minute per request for a refused connection or an untrusted
     * certificate) and no caller can bound it. {@link RegistryRetry} is the one retry policy here, so the client is
     * built with that switched off through Jib's package-private constructor (jib-core 0.28.1); should a Jib upgrade
     * remove it, the public one is used and a push just retries more than its budget says.
     */
    private static FailoverHttpClient httpClient(boolean insecure, Consumer<LogEvent> log) {
        try {
            java.lang.reflect.Constructor<FailoverHttpClient> withoutRetry = FailoverHttpClient.class
                    .getDeclaredConstructor(boolean.class, boolean.class, Consumer.class, boolean.class);
            withoutRetry.setAccessible(true);
            return withoutRetry.newInstance(insecure, insecure, log, false);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new FailoverHttpClient(insecure, insecure, log);
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
