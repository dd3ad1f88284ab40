package dev.minimalimage.result;

import java.util.regex.Pattern;

/**
 * The one rule both smoke tests (the operator's pod, `build --smoke-test`) judge a finished program by: the exit code
 * first, then the output pattern, searched for (not matched whole) in the output tail.
 *
 * @param passed        both as asked
 * @param exitCodeWrong failed on the exit code (callers add what an unexpected code may mean)
 * @param summary       "exit code 3, expected 0", "exit code 0 as expected, but the output does not match OPTION P",
 *                      or "exit code 0 as expected[, output matches P]"
 */
public record SmokeTestJudgement(boolean passed, boolean exitCodeWrong, String summary) {

    /** {@code patternSetting}: how the user set the pattern (spec field or CLI option), for the message. */
    public static SmokeTestJudgement of(int exitCode, int expectedExitCode, Pattern outputPattern, String patternSetting,
            String output) {
        if (exitCode != expectedExitCode) {
            return new SmokeTestJudgement(false, true, "exit code " + exitCode + ", expected " + expectedExitCode);
        }
        if (!outputMatches(outputPattern, output)) {
            return new SmokeTestJudgement(false, false, "exit code " + exitCode + " as expected, but the output does"
                    + " not match " + patternSetting + " " + outputPattern.pattern());
        }
        return new SmokeTestJudgement(true, false, "exit code " + exitCode + " as expected" + patternNote(outputPattern));
    }

    /** No pattern matches anything; a pattern needs some output to be found in. */
    public static boolean outputMatches(Pattern outputPattern, String output) {
        return outputPattern == null || output != null && outputPattern.matcher(output).find();
    }

    public static String patternNote(Pattern outputPattern) {
        return outputPattern == null ? "" : ", output matches " + outputPattern.pattern();
    }
}
