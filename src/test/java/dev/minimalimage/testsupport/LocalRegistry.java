package dev.minimalimage.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Distribution registry (Debian's docker-registry) on 127.0.0.1 with its own config and temporary storage,
 * optionally behind htpasswd auth. Started and stopped by the test that uses it; every wait is bounded.
 */
public final class LocalRegistry implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private final Path dir;
    private final int port;
    private final Process process;
    private final RegistryApi api;

    private final boolean tls;

    private LocalRegistry(Path dir, int port, Process process, String user, String password, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.api = new RegistryApi(host(), user, password);
        this.tls = tls;
    }

    public static LocalRegistry start(Path dir) {
        return start(dir, null, null);
    }

    /**
     * Serving HTTPS only, with {@code certificates}' server certificate. {@link #api()} speaks plain HTTP and so is of
     * no use for it: read it back with skopeo.
     */
    public static LocalRegistry startTls(Path dir, TestCertificates certificates) {
        return start(dir, null, null, "  tls:\n    certificate: " + certificates.serverCertificate() + "\n    key: "
                + certificates.serverKey() + "\n");
    }

    /** {@link #startTls(Path, TestCertificates)} behind basic auth, as {@link #start(Path, String, String)}. */
    public static LocalRegistry startTls(Path dir, TestCertificates certificates, String user, String password) {
        return start(dir, user, password, "  tls:\n    certificate: " + certificates.serverCertificate() + "\n    key: "
                + certificates.serverKey() + "\n");
    }

    /** With user and password set, the registry requires basic auth (bcrypt htpasswd made by Apache's htpasswd). */
    public static LocalRegistry start(Path dir, String user, String password) {
        return start(dir, user, password, "");
    }

    /** With the HTTP access log in {@link #log()} (one line per request), for tests that count uploads. */
    public static LocalRegistry startWithAccessLog(Path dir) {
        return start(dir, null, null, "", false);
    }

    private static LocalRegistry start(Path dir, String user, String password, String tls) {
        return start(dir, user, password, tls, true);
    }

    private static LocalRegistry start(Path dir, String user, String password, String tls, boolean quiet) {
        Processes.requireOnPath("docker-registry");
        try {
            Files.createDirectories(dir.resolve("storage"));
            int port = freePort();
            String auth = "";
            if (user != null) {
                Processes.requireOnPath("htpasswd");
                String line = Processes.run(Duration.ofSeconds(30), List.of("htpasswd", "-Bbn", user, password))
                        .requireSuccess("htpasswd").stdout().trim();
                Files.writeString(dir.resolve("htpasswd"), line + "\n");
                auth = "auth:\n  htpasswd:\n    realm: test\n    path: " + dir.resolve("htpasswd") + "\n";
            }
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: %s
                      accesslog:
                        disabled: %s
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                      secret: test-only-secret
                    %s%s""".formatted(quiet ? "warn" : "info", quiet, dir.resolve("storage"), port, tls, auth));
            Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            LocalRegistry registry = new LocalRegistry(dir, port, process, user, password, !tls.isEmpty());
            registry.awaitReady();
            return registry;
        } catch (IOException e) {
            throw new AssertionError("cannot start docker-registry: " + e.getMessage(), e);
        }
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve("registry.log");
    }

    /** The registry's HTTP API, with this registry's credentials. */
    public RegistryApi api() {
        return api;
    }

    public byte[] manifest(String repository, String reference) {
        return api.manifest(repository, reference);
    }

    public Optional<String> dockerContentDigest(String repository, String reference) {
        return api.dockerContentDigest(repository, reference);
    }

    public long blobSize(String repository, String digest) {
        return api.blobSize(repository, digest);
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited: " + Files.readString(log()));
            }
            int status = api.ping();
            // a TLS listener answers the plain-HTTP ping with 400 ("client sent an HTTP request to an HTTPS server")
            if (status == 200 || status == 401 || (tls && status == 400)) {
                return;
            }
            sleep(100);
        }
        close();
        throw new AssertionError("docker-registry not ready after " + START_TIMEOUT + ": " + Files.readString(log()));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
