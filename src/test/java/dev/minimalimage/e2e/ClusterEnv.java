package dev.minimalimage.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.minimalimage.testsupport.Processes;

/**
 * What the cluster tier's driver (scripts/test-cluster.sh) tells {@link ClusterIT} about the real cluster it set up:
 * registries, the toolchain image the presets point at, the operator's namespace, a kubectl and the namespaces the
 * chart was told to watch. All of it reachable only inside the cluster's network namespace, where the test JVM runs.
 */
record ClusterEnv(String registry, String authRegistry, String authUser, String authPassword, String toolchainImage,
        String kubectl, String operatorNamespace, String namespace, String unwatchedNamespace, String gitHost) {

    /** Set by scripts/test-cluster.sh only (the JVM must run inside the cluster's network namespace). */
    static final String ENABLE = "MINIMAL_IMAGE_E2E_CLUSTER";

    static ClusterEnv fromEnvironment() throws IOException {
        String[] credentials = Files.readString(Path.of(required("MINIMAL_IMAGE_E2E_AUTH_CREDENTIALS"))).strip()
                .split(":", 2);
        return new ClusterEnv(required("MINIMAL_IMAGE_E2E_REGISTRY"), required("MINIMAL_IMAGE_E2E_AUTH_REGISTRY"),
                credentials[0], credentials[1], required("MINIMAL_IMAGE_E2E_TOOLCHAIN"),
                required("MINIMAL_IMAGE_E2E_KUBECTL"), required("MINIMAL_IMAGE_E2E_OPERATOR_NAMESPACE"),
                required("MINIMAL_IMAGE_E2E_NAMESPACE"), required("MINIMAL_IMAGE_E2E_UNWATCHED_NAMESPACE"),
                required("MINIMAL_IMAGE_E2E_GIT_HOST"));
    }

    /** kubectl in the test namespace. */
    Processes.Result kubectl(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl, "-n", namespace));
        command.addAll(List.of(args));
        return Processes.run(timeout, command);
    }

    /** What a user would look at when a wait fails: the resources and pods, and the resource as kubectl shows them. */
    String describe(String name) {
        return "\n" + kubectl(Duration.ofSeconds(30), "get", "mimg,pods", "-o", "wide").stdout() + "\n"
                + kubectl(Duration.ofSeconds(30), "describe", "mimg", name).stdout();
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the cluster tier through scripts/test-cluster.sh");
        }
        return value;
    }
}
