package dev.minimalimage.result;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * `build --smoke-test`: the packed image run once on this machine from an empty root. {@code ran} false means the
 * host could not run it (reason SmokeTestNotRun unless --smoke-test-optional) and {@code message} says why;
 * otherwise {@code passed} with the program's {@code exitCode} (null when it was killed at the timeout), the tail of its output ({@link OutputTail})
 * and the numeric {@code runAs} user:group.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SmokeTestResult(boolean ran, Boolean passed, Integer exitCode, String output, String runAs,
        String message) {

    public static SmokeTestResult skipped(String why) {
        return new SmokeTestResult(false, null, null, null, null, why);
    }

    public static SmokeTestResult verdict(boolean passed, Integer exitCode, String output, String runAs,
            String message) {
        return new SmokeTestResult(true, passed, exitCode, output, runAs, message);
    }

    public boolean failed() {
        return Boolean.FALSE.equals(passed);
    }

    /** A copy whose texts fit {@code textLimit}; the output keeps its end, where a failing program says why. */
    SmokeTestResult capped(int textLimit) {
        String tail = output == null || output.length() <= textLimit ? output
                : "..." + output.substring(output.length() - Math.max(0, textLimit - 3));
        return new SmokeTestResult(ran, passed, exitCode, tail, runAs, Texts.truncate(message, textLimit));
    }
}
