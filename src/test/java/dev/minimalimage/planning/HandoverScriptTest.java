package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compile step's hand-over, run by /bin/sh: whatever the script does (succeeds, fails under set -e, exits with
 * its own code, has a child killed), the step's exit code is the script's and the same code is written, as one line,
 * for the packer beside it.
 */
class HandoverScriptTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "succeeds            | set -eu; echo built                 | 0",
            "fails under set -e  | set -eu; false; echo never         | 1",
            "exits with its code | echo nothing to build; exit 202      | 202",
            "has a child killed  | sh -c 'kill -9 $$'                  | 137",
            "calls exit in a function | f() { exit 7; }; f              | 7" })
    void theExitCodeIsTheScriptsAndIsWrittenAsOneLine(String what, String script, int expected, @TempDir Path dir)
            throws Exception {
        Path exitCode = dir.resolve("code");
        CompileStep step = new CompileStep("toolchain", script, Map.of()).handingOverTo(exitCode.toString());

        Process process = new ProcessBuilder("/bin/sh", "-c", step.script()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(output).isEqualTo(expected);
        assertThat(Files.readString(exitCode)).isEqualTo(expected + "\n");
        assertThat(output).doesNotContain("never");
    }

    /** A code the packer cannot be told fails the step, even after a build that succeeded. */
    @org.junit.jupiter.api.Test
    void anExitCodeThatCannotBeWrittenFailsTheStep(@TempDir Path dir) throws Exception {
        Path blocked = java.nio.file.Files.createDirectories(dir.resolve("code")); // a directory where the file goes
        CompileStep step = new CompileStep("toolchain", "echo built", Map.of()).handingOverTo(blocked.toString());

        Process process = new ProcessBuilder("/bin/sh", "-c", step.script()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(CompileExitCodes.HANDOVER_FAILED);
    }
}
