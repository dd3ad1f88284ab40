package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `operator` through the real main in a JVM of its own (it would boot Quarkus, and Main ends in System.exit): help
 * starts nothing, and without a cluster to connect to it says so in one line within seconds.
 */
class OperatorCommandTest {

    @Test
    void helpPrintsTheUsageAndStartsNothing(@TempDir Path home) throws Exception {
        for (String help : List.of("--help", "-h")) {
            MainProcess run = main(home, Map.of(), "operator", help);
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stdout()).startsWith("Usage: minimal-image operator")
                    .contains("Runs the MinimalImage Kubernetes operator");
            assertThat(run.stderr()).as("nothing booted, nothing logged").isEmpty();
        }
        MainProcess list = main(home, Map.of(), "--help");
        assertThat(list.stdout()).contains("  operator ").contains("Exit codes:");
    }

    @Test
    void withoutAClusterItFailsInOneLine(@TempDir Path home) throws Exception {
        long started = System.nanoTime();
        MainProcess run = main(home, Map.of(), "operator");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr().strip().lines()).as(run.toString()).hasSize(1);
        assertThat(run.stderr()).startsWith("error: operator: no Kubernetes cluster to connect to: KUBECONFIG is not"
                + " set, " + home.resolve(".kube/config") + " does not exist and this is not a pod");
        assertThat(run.stdout()).isEmpty();
        assertThat(took).as("no 20 s wait for kubernetes.default.svc").isLessThan(MainProcess.LIMIT);

        MainProcess missingFile = main(home, Map.of("KUBECONFIG", home.resolve("nope.yaml").toString()), "operator");
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertThat(missingFile.stderr()).contains("KUBECONFIG names no existing file (" + home.resolve("nope.yaml"));

        MainProcess usage = main(home, Map.of(), "operator", "--watch-all");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.stderr()).isEqualTo("error: Unknown option: '--watch-all'\n"
                + "Try 'minimal-image operator --help' for more information.\n");
    }

    /** Main with HOME at {@code home}, no kubeconfig and no in-cluster variables but {@code env}. */
    private static MainProcess main(Path home, Map<String, String> env, String... args) throws IOException,
            InterruptedException {
        return MainProcess.run(home, List.of(), environment -> {
            environment.keySet().removeIf(name -> name.startsWith("KUBE") || name.startsWith("QUARKUS_"));
            environment.put("HOME", home.toString());
            environment.putAll(env);
        }, args);
    }
}
