package dev.minimalimage.planning;

import java.util.List;
import java.util.SortedMap;

/**
 * Everything the builder pod needs, derived from the resource alone (plus configured images), so equal inputs
 * give an equal {@link #inputsHash()} and therefore the same pod name.
 */
public record BuildPlan(
        String inputsHash,
        String podName,
        String sourceConfigMapName,
        SortedMap<String, String> inlineFiles,
        GitSource git,
        CompileStep compile,
        List<String> packageArgs,
        String pushSecret,
        long timeoutSeconds,
        long startTimeoutSeconds) {

    public record GitSource(String url, String revision, String contextDir, String credentialsSecret) {
    }

    public boolean isInline() {
        return inlineFiles != null;
    }
}
