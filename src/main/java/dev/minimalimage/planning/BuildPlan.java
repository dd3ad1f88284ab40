package dev.minimalimage.planning;

import java.util.List;
import java.util.SortedMap;

/**
 * Everything the builder pod needs, derived from the resource alone (plus configured images), so equal inputs
 * give an equal {@link #inputsHash()} and therefore the same pod name. Exactly one of {@code compile} (a language
 * preset), {@code dockerfile} and {@code dockerfileFetch} (the step before a git source's Dockerfile build) is set.
 */
public record BuildPlan(
        String resourceName,
        String inputsHash,
        String sourceConfigMapName,
        SortedMap<String, String> inlineFiles,
        GitSource git,
        CompileStep compile,
        DockerfileStages dockerfile,
        DockerfileFetch dockerfileFetch,
        List<String> packageArgs,
        String pushSecret,
        long timeoutSeconds,
        long startTimeoutSeconds,
        long pullTimeoutSeconds,
        SmokeTestPlan smokeTest) {

    /**
     * The resolve step of a Dockerfile build from git: a pod that only fetches, and reports the Dockerfile at
     * {@code path} (relative to the checkout) with the commit, for the operator to plan the build from.
     */
    public record DockerfileFetch(String path) {
    }

    /** Whether this plan only reads a git source's Dockerfile (see {@link DockerfileFetch}). */
    public boolean fetchesDockerfile() {
        return dockerfileFetch != null;
    }

    public record GitSource(String url, String revision, String contextDir, String credentialsSecret) {
    }

    /**
     * The builder pod of one attempt at these inputs: the first is named by the inputs alone, a retry after a
     * recoverable fault (eviction, lost pod) gets the attempt number, so a new pod never waits for the old name.
     */
    public String podName(int attempt) {
        return GeneratedNames.of(resourceName, "-build-" + inputsHash + (attempt <= 1 ? "" : "-" + attempt));
    }

    public String podName() {
        return podName(1);
    }

    /** The smoke-test pod of these inputs (one per inputs: it runs the image they pushed). */
    public String smokePodName() {
        return GeneratedNames.of(resourceName, "-smoke-" + inputsHash);
    }

    public boolean hasSmokeTest() {
        return smokeTest != null;
    }

    /** spec.dockerfile: stages in containers of their own images instead of a preset's compile step. */
    public boolean isDockerfile() {
        return dockerfile != null;
    }

    public boolean isInline() {
        return inlineFiles != null;
    }
}
