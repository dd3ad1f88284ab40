package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compile step beside a fetch step, run by /bin/sh as the pod runs it (the wait, then the hand-over): it builds
 * only once the fetch step's exit code is there as a whole line, builds nothing after a failed fetch, and in both
 * cases writes its own code for the packer.
 */
class SourceWaitScriptTest {

    @Test
    void theBuildStartsOnlyAfterTheFetchSaidItSucceeded(@TempDir Path dir) throws Exception {
        Path fetchCode = dir.resolve("fetch-exit-code");
        Path compileCode = dir.resolve("compile-code");
        Path checkout = dir.resolve("checkout");
        Process process = start(step("cat '" + checkout + "'", fetchCode, compileCode));

        Thread.sleep(300);
        assertThat(process.isAlive()).as("still waiting for the fetch").isTrue();
        Files.writeString(fetchCode, "0"); // a line without its newline is not the whole line yet
        Thread.sleep(200);
        assertThat(process.isAlive()).as("a partial line is not an exit code").isTrue();
        Files.writeString(checkout, "checked out\n");
        Files.writeString(fetchCode, "0\n");

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output(process)).contains("checked out");
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(compileCode)).isEqualTo("0\n");
    }

    @Test
    void aFailedFetchEndsTheStepWithoutRunningTheBuild(@TempDir Path dir) throws Exception {
        Ended ended = afterFetch(dir, "7\n", "echo the build ran");

        assertThat(ended.output()).doesNotContain("the build ran").contains("the fetch step failed (exit code 7)");
        assertThat(ended.exitCode()).isEqualTo(CompileExitCodes.SOURCE_UNAVAILABLE);
        assertThat(ended.codeForThePacker()).isEqualTo(CompileExitCodes.SOURCE_UNAVAILABLE + "\n");
    }

    @Test
    void theBuildScriptKeepsItsOwnExitsAndSetE(@TempDir Path dir) throws Exception {
        Ended ended = afterFetch(dir, "0\n", "set -eu; false; echo never");

        assertThat(ended.output()).doesNotContain("never");
        assertThat(ended.exitCode()).isEqualTo(1);
        assertThat(ended.codeForThePacker()).isEqualTo("1\n");
    }

    /** A toolchain image without sleep would spin the wait loop at full speed: the step ends at once instead. */
    @Test
    void withoutSleepTheStepEndsInsteadOfSpinning(@TempDir Path dir) throws Exception {
        Path compileCode = dir.resolve("compile-code");
        ProcessBuilder shell = new ProcessBuilder("/bin/sh", "-c",
                step("echo the build ran", dir.resolve("fetch-exit-code"), compileCode).script())
                .redirectErrorStream(true);
        shell.environment().put("PATH", Files.createDirectories(dir.resolve("empty-bin")).toString());
        Process process = shell.start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output(process)).contains("no sleep in the toolchain image").doesNotContain("the build ran");
        assertThat(process.exitValue()).isEqualTo(CompileExitCodes.SOURCE_UNAVAILABLE);
    }

    /** How the step ended: its exit code, its output, and the line it wrote for the packer. */
    private record Ended(int exitCode, String output, String codeForThePacker) {
    }

    /** The step run with the fetch's line already there. */
    private static Ended afterFetch(Path dir, String fetchLine, String script) throws Exception {
        Path fetchCode = Files.writeString(dir.resolve("fetch-exit-code"), fetchLine);
        Path compileCode = dir.resolve("compile-code");
        Process process = start(step(script, fetchCode, compileCode));
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Ended(process.exitValue(), output(process), Files.readString(compileCode));
    }

    private static CompileStep step(String script, Path fetchCode, Path compileCode) {
        return new CompileStep("toolchain", script, Map.of()).awaitingSource(fetchCode.toString())
                .handingOverTo(compileCode.toString());
    }

    private static Process start(CompileStep step) throws Exception {
        return new ProcessBuilder("/bin/sh", "-c", step.script()).redirectErrorStream(true).start();
    }

    private static String output(Process process) throws Exception {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
