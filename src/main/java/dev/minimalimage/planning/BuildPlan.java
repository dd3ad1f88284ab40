package dev.minimalimage.planning;

import java.util.List;
import java.util.SortedMap;

/**
 * Everything the builder pod needs, derived from the resource alone (plus configured images), so equal inputs
 * give an equal {@link #inputsHash()} and therefore the same pod name.
 */
public record BuildPlan(
        String resourceName,
        String inputsHash,
        String sourceConfigMapName,
        SortedMap<String, String> inlineFiles,
        GitSource git,
        CompileStep compile,
        List<String> packageArgs,
        String pushSecret,
        long timeoutSeconds,
        long startTimeoutSeconds,
        long pullTimeoutSeconds,
        SmokeTestPlan smokeTest) {

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

    public boolean isInline() {
        return inlineFiles != null;
    }
}
