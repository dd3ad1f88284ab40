package dev.minimalimage.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `operator`: boots Quarkus and the MinimalImage reconciler. Help and usage errors are answered without starting
 * anything, and so is the lack of a cluster: Fabric8 would otherwise fall back to https://kubernetes.default.svc and
 * fail after ~20 s with a long stack trace.
 */
@Command(name = "operator", mixinStandardHelpOptions = true,
        description = { "Runs the MinimalImage Kubernetes operator against the cluster of the current kubeconfig.",
                "In a pod it uses the pod's service account, elsewhere the file KUBECONFIG names, else ~/.kube/config.",
                "Its settings come from the environment (see the chart's values); it runs until stopped." })
final class OperatorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String home = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
        String missing = missingCluster(System.getenv(), Path.of(home));
        if (missing != null) {
            spec.commandLine().getErr().println("error: operator: " + missing);
            return ExitCodes.BAD_ARGUMENTS;
        }
        Quarkus.run(); // returns only when the application stops (a signal); Quarkus then exits the JVM
        return ExitCodes.OK;
    }

    /**
     * Null when the Kubernetes client has somewhere to connect to: a kubeconfig file (KUBECONFIG's list, else
     * ~/.kube/config), a pod's service account, or an API server set explicitly; else why not, in one sentence.
     */
    static String missingCluster(Map<String, String> env, Path home) {
        if (set(env, "KUBERNETES_MASTER") || set(env, "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL")
                || System.getProperty("kubernetes.master") != null
                || System.getProperty("quarkus.kubernetes-client.api-server-url") != null) {
            return null;
        }
        if (set(env, "KUBERNETES_SERVICE_HOST")) { // in a pod: the client reads the service account's token itself
            return null;
        }
        String where = "this is not a pod (KUBERNETES_SERVICE_HOST is not set)";
        if (set(env, "KUBECONFIG")) {
            List<String> files = Arrays.stream(env.get("KUBECONFIG").split(":")).filter(f -> !f.isEmpty()).toList();
            return files.stream().anyMatch(f -> Files.isRegularFile(Path.of(f))) ? null
                    : "no Kubernetes cluster to connect to: KUBECONFIG names no existing file (" + env.get("KUBECONFIG")
                            + ") and " + where;
        }
        Path kubeconfig = home.resolve(".kube/config");
        return Files.isRegularFile(kubeconfig) ? null
                : "no Kubernetes cluster to connect to: KUBECONFIG is not set, " + kubeconfig + " does not exist and "
                        + where;
    }

    private static boolean set(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }
}
