package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.cli.CliRun;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Processes;

/**
 * {@code build --dockerfile} with a real toolchain image: the cluster tier's (gcc, musl, Go; built from Debian
 * packages by scripts/cluster/toolchain-image.sh, in the cluster's registry), named by a build arg as a user points
 * {@code FROM} at a mirror. The issue's example, static (runs, the same digest twice) and without {@code -static}
 * ({@code DynamicDependency} with the fix), and a Go two-stage build with a config file beside the binary. Runs in
 * the cluster tier's JVM (inside the cluster's network namespace, where that registry is), as root.
 */
@EnabledIfEnvironmentVariable(named = ClusterEnv.ENABLE, matches = "1")
class DockerfileToolchainIT {

    static final Path HELLO_C = Path.of("src/test/fixtures/dockerfile-hello-c").toAbsolutePath();
    static final Path GO = Path.of("src/test/fixtures/dockerfile-go").toAbsolutePath();

    static ClusterEnv env;
    @TempDir
    static Path work;

    @BeforeAll
    static void readEnvironment() throws Exception {
        env = ClusterEnv.fromEnvironment();
    }

    @Test
    void theIssuesExampleAndAGoBuildFromTheToolchainImage() throws Exception {
        Path cache = work.resolve("image-cache");
        try {
            CliRun first = build(HELLO_C, cache, "TOOLCHAIN", "dockerfile/hello:1", "--smoke-test", "");
            assertThat(first.exitCode()).as(first.all()).isZero();
            assertThat(first.result().smokeTest().output()).contains("hello from a Dockerfile");
            assertThat(first.result().link().verdict()).isEqualTo("Static");
            CliRun second = build(HELLO_C, cache, "TOOLCHAIN", "dockerfile/hello:2");
            assertThat(second.exitCode()).as(second.all()).isZero();
            assertThat(second.result().digest()).as("the same inputs, the same digest")
                    .isEqualTo(first.result().digest());

            CliRun go = build(GO, cache, "GO_IMAGE", "dockerfile/greet:1", "--smoke-test", "");
            assertThat(go.exitCode()).as(go.all()).isZero();
            assertThat(go.result().smokeTest().output())
                    .contains("hello from Go, configured by a file beside the binary");
            assertThat(go.result().files()).extracting(BuildResult.FileVerdict::path, BuildResult.FileVerdict::verdict)
                    .containsExactly(tuple("/etc/greet.conf", "NotElf"), tuple("/greet", "Static"));

            CliRun dynamic = build(HELLO_C, cache, "TOOLCHAIN", "dockerfile/hello:dyn", "--build-arg", "CFLAGS=-O2");
            assertThat(dynamic.result().reason()).as(dynamic.all()).isEqualTo("DynamicDependency");
            assertThat(dynamic.result().message()).contains("/hello is dynamically linked", "libc.so.6", "gcc -static");
        } finally {
            // links in the toolchain point outside: JUnit's clean-up would warn about each
            Processes.run(Duration.ofMinutes(2), List.of("rm", "-rf", cache.toString())).requireSuccess("rm");
        }
    }

    /** {@code toolchainArg}: the build arg the Dockerfile's FROM reads its image from. */
    static CliRun build(Path context, Path cache, String toolchainArg, String repository, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--dockerfile", context.resolve("Dockerfile").toString(),
                "--source", context.toString(), "--insecure", "--build-arg", toolchainArg + "=" + env.toolchainImage(),
                "--cache-dir", cache.toString(), "--image", env.registry() + "/" + repository));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }
}
