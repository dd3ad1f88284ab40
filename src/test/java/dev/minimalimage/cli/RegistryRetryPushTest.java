package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.FlakyRegistry;
import dev.minimalimage.testsupport.FlakyRegistry.Answer;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * The push's retry budget against a real registry behind {@link FlakyRegistry}: an outage answered with 503 and
 * Retry-After is waited out, a registry down longer than --registry-retry-timeout is RegistryUnavailable saying how
 * long it tried, and 401 is final at once.
 */
class RegistryRetryPushTest {

    @TempDir
    static Path work;
    static LocalRegistry registry;
    static Path hello;

    @BeforeAll
    static void startRegistryAndCompile() throws IOException {
        Processes.requireOnPath("skopeo");
        registry = LocalRegistry.start(work.resolve("registry"));
        hello = PackagePushTest.staticHello(work);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void anOutageWithRetryAfterIsWaitedOutAndTheImageLandsIntact() throws Exception {
        Instant outageEnds = Instant.now().plusSeconds(9);
        int registryPort = Integer.parseInt(registry.host().substring(registry.host().lastIndexOf(':') + 1));
        try (FlakyRegistry flaky = new FlakyRegistry(registryPort, () -> Instant.now().isBefore(outageEnds)
                ? new Answer(503, "Service Unavailable", List.of("Retry-After: 2")) : Answer.FORWARD)) {
            CliRun run = CliRun.of("package", hello.toString(), "--image", flaky.host() + "/outage:1", "--insecure");
            assertThat(run.exitCode()).as(run.all()).isZero();
            BuildResult result = run.result();

            List<FlakyRegistry.Refused> refused = flaky.refused();
            assertThat(refused).hasSizeGreaterThanOrEqualTo(3).allMatch(r -> r.requestLine().startsWith("GET /v2/ "));
            // each retry came no earlier than Retry-After said (no upper bound in wall-clock time: a 2-CPU machine
            // promises none; the planned wait is in the log line checked below)
            for (int i = 1; i < refused.size(); i++) {
                assertThat(Duration.between(refused.get(i - 1).at(), refused.get(i).at()))
                        .isGreaterThanOrEqualTo(Duration.ofMillis(1950));
            }
            assertThat(run.stderr().lines().filter(l -> l.contains("retrying in 2.0 s (Retry-After 2.0 s)")))
                    .hasSize(refused.size());
            assertThat(run.stderr()).contains("answered 503").doesNotContain("http://");

            // stored intact: the registry's own digest, the sha256 of the manifest skopeo reads, pullable by digest
            assertThat(registry.dockerContentDigest("outage", "1")).contains(result.digest());
            String raw = Skopeo.inspectRaw(registry.host() + "/outage:1");
            assertThat(PackagePushTest.sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(result.digest());
            Path rootfs = Skopeo.pullRootfs(registry.host() + "/outage@" + result.digest(), work.resolve("pull"));
            assertThat(Files.size(rootfs.resolve("app/hello"))).isEqualTo(Files.size(hello));
        }
    }

    @Test
    void aRegistryDownLongerThanTheBudgetIsRegistryUnavailableSayingHowLongItTried() throws Exception {
        try (FlakyRegistry down = new FlakyRegistry(0, () -> new Answer(503, "Service Unavailable", List.of()))) {
            long started = System.nanoTime();
            CliRun run = CliRun.of("package", hello.toString(), "--image", down.host() + "/down:1", "--insecure",
                    "--registry-retry-timeout", "5s");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(5);
            assertThat(run.result().reason()).isEqualTo("RegistryUnavailable");
            assertThat(run.result().message()).startsWith("gave up after trying for ")
                    .contains("--registry-retry-timeout 5.0 s").endsWith("last error: registry " + down.host()
                            + " answered 503");
            assertThat(took).as("the budget was used up").isGreaterThanOrEqualTo(Duration.ofSeconds(5));
            // backoff without Retry-After: 0.25-0.5 s, then 0.5-1 s, 1-2 s, 2-4 s, the last wait cut to what is left
            // of the 5 s: at least 3 attempts, and at most 6 (the shortest waits add up to 3.75 s after 5 attempts)
            assertThat(down.refused()).hasSizeBetween(3, 6);
            assertThat(run.stderr().lines().filter(l -> l.startsWith("warning: push attempt "))).hasSize(
                    down.refused().size() - 1);
        }
    }

    @Test
    void unauthorizedIsFinalAtOnce() throws Exception {
        try (FlakyRegistry locked = new FlakyRegistry(0,
                () -> new Answer(401, "Unauthorized", List.of("WWW-Authenticate: Basic realm=\"test\"")))) {
            CliRun run = CliRun.of("package", hello.toString(), "--image", locked.host() + "/locked:1", "--insecure");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(4);
            assertThat(run.result().reason()).isEqualTo("PushUnauthorized");
            assertThat(run.stderr()).doesNotContain("retrying");
            assertThat(locked.refused().stream().filter(r -> r.requestLine().startsWith("GET /v2/ "))).hasSize(1);
            assertThat(run.stderr()).doesNotContain("push attempt");
        }
    }

    @Test
    void aBadRetryTimeoutIsABadArgument() {
        CliRun run = CliRun.of("package", hello.toString(), "--image", "127.0.0.1:1/x:1", "--insecure",
                "--registry-retry-timeout", "two minutes");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.result().message()).contains("--registry-retry-timeout must look like 2m");
    }
}
