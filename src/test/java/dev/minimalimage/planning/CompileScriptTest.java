package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.api.v1alpha1.Language;

/** The compile script itself, run by /bin/sh as the toolchain image would run it. */
class CompileScriptTest {

    /** What a minimal toolchain image has besides its compilers: the shell and the utilities the script uses. */
    static final List<String> SHELL_UTILITIES = List.of("sh", "cp", "mkdir", "rm", "dirname", "cat", "find", "touch",
            "od", "tr", "sed", "grep", "sort", "nproc", "head", "ls", "chmod");

    @Test
    void aToolTheToolchainImageLacksIsNamedWithItsOwnExitCode(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : SHELL_UTILITIES) {
            Files.createSymbolicLink(bin.resolve(tool), onPath(tool));
        }
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Makefile"), "all:\n\ttrue\n");
        Language c = new Language();
        c.setName(Language.Name.C);
        CompileStep step = LanguagePresets.compileStep(c, ToolchainImages.DEFAULTS);

        ProcessBuilder sh = new ProcessBuilder("/bin/sh", "-c", step.script()).redirectErrorStream(true);
        sh.environment().clear();
        sh.environment().putAll(step.env());
        sh.environment().putAll(Map.of("PATH", bin.toString(), "SRC", src.toString(), "WORK", dir.resolve("work")
                .toString(), "OUT", dir.resolve("work/out/app").toString(), "HOME", dir.resolve("home").toString()));
        Process process = sh.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(output).isEqualTo(CompileExitCodes.TOOL_MISSING);
        assertThat(output).contains("build system: make").contains("error: this build needs 'make', which the"
                + " toolchain image " + ToolchainImages.DEFAULTS.cMusl() + " does not have");
        assertThat(CompileExitCodes.reasonOf(process.exitValue()).name()).isEqualTo("ToolchainToolMissing");
    }

    @Test
    void theScriptDefinesTheExitCodesItUsesFromOnePlace() throws Exception {
        Language go = new Language();
        go.setName(Language.Name.GO);
        String script = LanguagePresets.compileStep(go, ToolchainImages.DEFAULTS).script();
        assertThat(script).startsWith("EXIT_BUNDLE_INCOMPLETE=" + CompileExitCodes.BUNDLE_INCOMPLETE + "\n"
                + "EXIT_EXECUTABLE_AMBIGUOUS=" + CompileExitCodes.EXECUTABLE_AMBIGUOUS + "\n"
                + "EXIT_EXECUTABLE_NOT_FOUND=" + CompileExitCodes.EXECUTABLE_NOT_FOUND + "\n"
                + "EXIT_STAGED_LIBRARY_MISSING=" + CompileExitCodes.STAGED_LIBRARY_MISSING + "\n"
                + "EXIT_TOOL_MISSING=" + CompileExitCodes.TOOL_MISSING + "\n");
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " not on PATH");
    }
}
