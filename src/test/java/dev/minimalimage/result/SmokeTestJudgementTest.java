package dev.minimalimage.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class SmokeTestJudgementTest {

    private static final Pattern HELLO = Pattern.compile("^hello \\w+$");

    @Test
    void theExitCodeIsJudgedFirstThenThePatternIsSearchedInTheOutput() {
        SmokeTestJudgement wrongCode = SmokeTestJudgement.of(3, 0, HELLO, "OPT", "hello world");
        assertThat(wrongCode.passed()).isFalse();
        assertThat(wrongCode.exitCodeWrong()).isTrue();
        assertThat(wrongCode.summary()).isEqualTo("exit code 3, expected 0");

        SmokeTestJudgement wrongOutput = SmokeTestJudgement.of(0, 0, HELLO, "OPT", "goodbye");
        assertThat(wrongOutput.passed()).isFalse();
        assertThat(wrongOutput.exitCodeWrong()).isFalse();
        assertThat(wrongOutput.summary()).isEqualTo("exit code 0 as expected, but the output does not match OPT ^hello \\w+$");

        // found in a line of the tail, not matched against all of it; ^ and $ need MULTILINE to mean lines
        assertThat(SmokeTestJudgement.of(0, 0, Pattern.compile("hello"), "OPT", "a\nhello there\nb").passed()).isTrue();
        SmokeTestJudgement passed = SmokeTestJudgement.of(7, 7, HELLO, "OPT", "hello world");
        assertThat(passed.passed()).isTrue();
        assertThat(passed.summary()).isEqualTo("exit code 7 as expected, output matches ^hello \\w+$");
    }

    @Test
    void noPatternMatchesEvenNoOutputButAPatternNeedsSome() {
        assertThat(SmokeTestJudgement.outputMatches(null, null)).isTrue();
        assertThat(SmokeTestJudgement.outputMatches(Pattern.compile(".*"), null)).isFalse();
        assertThat(SmokeTestJudgement.of(0, 0, null, "OPT", null).summary()).isEqualTo("exit code 0 as expected");
    }
}
