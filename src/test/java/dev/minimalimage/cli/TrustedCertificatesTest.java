package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;
import dev.minimalimage.testsupport.TestCertificates;

/**
 * --ca-bundle against real TLS servers whose certificate a throw-away CA signed: the Debian registry serving HTTPS
 * (Jib's Apache transport) and a git repository over dumb HTTPS from the JDK's HttpsServer (JGit's JDK transport).
 * TrustedCertificates changes the process-wide TLS default, so each test starts from, and leaves, the JDK's own.
 */
class TrustedCertificatesTest {

    @TempDir
    static Path work;
    static TestCertificates certificates;
    static TestCertificates otherCa;

    @BeforeAll
    static void makeCertificates() throws IOException {
        certificates = TestCertificates.create(work.resolve("pki"));
        otherCa = TestCertificates.create(work.resolve("other-pki"));
    }

    @BeforeEach
    @AfterEach
    void jdkDefaultTrust() throws Exception {
        SSLContext jdkDefault = SSLContext.getInstance("Default");
        SSLContext.setDefault(jdkDefault);
        HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault.getSocketFactory());
    }

    @Test
    void packagePushesToATlsRegistryWhoseCaIsInTheBundleAndFailsAtOnceWithoutIt() throws Exception {
        Processes.requireOnPath("skopeo");
        Path hello = PackagePushTest.staticHello(work);
        try (LocalRegistry registry = LocalRegistry.startTls(work.resolve("tls-registry"), certificates)) {
            String ref = registry.host() + "/tls:1";

            long started = System.nanoTime();
            CliRun untrusted = CliRun.of("package", hello.toString(), "--image", ref);
            assertThat(untrusted.exitCode()).as(untrusted.all()).isEqualTo(5);
            assertThat(untrusted.result().reason()).isEqualTo("RegistryUnavailable");
            assertThat(untrusted.result().message()).contains("TLS connection to registry " + registry.host())
                    .contains("not retried").contains("--ca-bundle");
            assertThat(untrusted.stderr()).doesNotContain("retrying");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

            CliRun wrongCa = CliRun.of("package", hello.toString(), "--image", ref, "--ca-bundle",
                    otherCa.caCertificate().toString());
            assertThat(wrongCa.exitCode()).as(wrongCa.all()).isEqualTo(5);

            CliRun trusted = CliRun.of("package", hello.toString(), "--image", ref, "--ca-bundle",
                    bundleOf(otherCa.caCertificate(), certificates.caCertificate()).toString());
            assertThat(trusted.exitCode()).as(trusted.all()).isZero();
            String raw = Skopeo.inspectRaw(ref); // skopeo over https, certificate not checked
            assertThat(PackagePushTest.sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(trusted.result().digest());
        }
    }

    @Test
    void fetchClonesOverHttpsFromAServerWhoseCaIsInTheBundle() throws Exception {
        Processes.requireOnPath("git");
        Path origin = work.resolve("origin");
        RevCommit commit;
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.writeString(origin.resolve("main.c"), "int main(void){return 0;}\n");
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("first").setAuthor("t", "t@example.org").setSign(false).call();
        }
        Path served = work.resolve("served");
        Path bare = served.resolve("repo.git");
        Processes.run(Duration.ofSeconds(60), List.of("git", "clone", "-q", "--bare", origin.toString(), bare.toString()))
                .requireSuccess("git clone --bare");
        Processes.run(Duration.ofSeconds(60), List.of("git", "-C", bare.toString(), "update-server-info"))
                .requireSuccess("git update-server-info");
        HttpsServer server = dumbHttpServer(served);
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/repo.git";
            CliRun untrusted = CliRun.of("fetch", "--url", url, "--dest", work.resolve("a").toString());
            assertThat(untrusted.exitCode()).as(untrusted.all()).isEqualTo(FetchCommand.FETCH_FAILED);

            CliRun trusted = CliRun.of("fetch", "--url", url, "--dest", work.resolve("b").toString(), "--ca-bundle",
                    certificates.caCertificate().toString());
            assertThat(trusted.exitCode()).as(trusted.all()).isZero();
            assertThat(trusted.stdout()).contains(commit.name());
            assertThat(Files.readString(work.resolve("b/main.c"))).contains("return 0");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aBadBundleIsABadArgumentNamingTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.pem");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path broken = Files.writeString(dir.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        Path keyOnly = Files.copy(certificates.serverKey(), dir.resolve("key.pem"));
        for (Path bad : List.of(missing, empty, broken, keyOnly)) {
            CliRun fetch = CliRun.of("fetch", "--url", "https://127.0.0.1:1/x.git", "--dest", dir.resolve("x").toString(),
                    "--ca-bundle", bad.toString());
            assertThat(fetch.exitCode()).as(fetch.all()).isEqualTo(2);
            assertThat(fetch.stderr()).contains("--ca-bundle " + bad);
            CliRun pack = CliRun.of("package", "/bin/true", "--image", "127.0.0.1:1/x:1", "--ca-bundle", bad.toString());
            assertThat(pack.exitCode()).as(pack.all()).isEqualTo(2);
            assertThat(pack.result().reason()).isEqualTo("InvalidArguments");
            assertThat(pack.result().message()).startsWith("--ca-bundle " + bad + ": ");
        }
        assertThat(CliRun.of("fetch", "--url", "x", "--dest", "y", "--ca-bundle", empty.toString()).stderr())
                .contains("holds no certificate");
    }

    private static Path bundleOf(Path... pems) throws IOException {
        StringBuilder bundle = new StringBuilder();
        for (Path pem : pems) {
            bundle.append("# ").append(pem.getFileName()).append('\n').append(Files.readString(pem));
        }
        return Files.writeString(work.resolve("bundle-" + pems.length + ".pem"), bundle);
    }

    /** Serves the files under {@code root} read-only over HTTPS on 127.0.0.1: enough for git's dumb HTTP protocol. */
    private static HttpsServer dumbHttpServer(Path root) throws Exception {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
        server.createContext("/", exchange -> {
            try (exchange) {
                Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return server;
    }
}
