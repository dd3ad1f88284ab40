package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Compilers;

/**
 * `package --await-compile`: the builder pod's packer, started before the compile step ends, packs exactly what the
 * step left when it wrote its exit code, from its own copy.
 */
class CompileHandoverTest {

    private static final String HELLO = "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n";

    @Test
    void packsTheCopyTakenWhenTheCompileStepEndedNotWhatChangesAfter(@TempDir Path dir) throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared/out"));
        Path exitCode = dir.resolve("compile-exit");
        Path program = Compilers.gcc(dir.resolve("cc"), "hello", HELLO, "-O2", "-static");
        CompletableFuture<CliRun> packing = CompletableFuture.supplyAsync(() -> CliRun.of("package",
                "--await-compile", exitCode.toString(), "--await-timeout", "60",
                "--take", shared + "=" + dir.resolve("own/out"), dir.resolve("own/out/hello").toString(),
                "--oci-layout", dir.resolve("layout").toString()));
        Thread.sleep(300);
        assertThat(packing).as("waits for the compile step").isNotDone();

        Files.copy(program, shared.resolve("hello"));
        Files.writeString(exitCode, "0\n");
        CliRun run = packing.get(60, TimeUnit.SECONDS);
        // a build process still alive changes its output: the image is already packed from the copy
        Files.writeString(shared.resolve("hello"), "#!/bin/sh\n");

        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        assertThat(result.link().verdict()).isIn("Static", "StaticPie");
        assertThat(Files.mismatch(program, dir.resolve("own/out/hello"))).as("the packer's own copy").isEqualTo(-1);
        assertThat(Files.exists(dir.resolve("layout/index.json"))).isTrue();
    }

    @Test
    void aFailedCompileStepEndsThePackerWithoutPacking(@TempDir Path dir) throws Exception {
        Path exitCode = Files.writeString(dir.resolve("compile-exit"), "202\n");
        CliRun run = CliRun.of("package", "--await-compile", exitCode.toString(), "--take", dir.resolve("shared/out")
                + "=" + dir.resolve("own/out"), dir.resolve("own/out/hello").toString(), "--oci-layout",
                dir.resolve("layout").toString());

        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.result().reason()).isEqualTo("ExecutableNotFound");
        assertThat(run.result().message()).contains("exit code 202", "nothing was packed");
        assertThat(dir.resolve("layout")).doesNotExist();
    }

    @Test
    void aCompileStepThatNeverSaysItEndedIsWaitedForOnlyUntilTheTimeout(@TempDir Path dir) {
        CliRun run = CliRun.of("package", "--await-compile", dir.resolve("never").toString(), "--await-timeout", "1",
                dir.resolve("own/out/hello").toString(), "--oci-layout", dir.resolve("layout").toString());

        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.result().message()).contains("wrote no exit code", "within 1s");

        CliRun refused = CliRun.of("package", "--await-compile", dir.resolve("never").toString(), "--await-timeout",
                "-5", dir.resolve("own/out/hello").toString(), "--oci-layout", dir.resolve("layout").toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.result().message()).isEqualTo("--await-timeout must be at least 1 (seconds): -5");
    }

    /**
     * The packer holds the push credentials: a link the build planted must not make it pack one of its files. Links
     * are refused, whether they lead out of the workspace, stay inside it, or are absolute paths of the compile
     * step's own view (which mean another file in the packer's).
     */
    @Test
    void aLinkInTheOutputIsRefusedWhereverItLeads(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("config.json"), "{\"auths\":{}}");
        Path program = Compilers.gcc(dir.resolve("workspace/build"), "hello", HELLO, "-O2", "-static");
        for (Path target : java.util.List.of(secret, Path.of("../build/hello"), Path.of("/workspace/build/hello"))) {
            Path shared = Files.createDirectories(dir.resolve("workspace/out"));
            Files.deleteIfExists(shared.resolve("hello"));
            Files.createSymbolicLink(shared.resolve("hello"), target);
            Path exitCode = Files.writeString(dir.resolve("compile-exit"), "0\n");

            CliRun run = CliRun.of("package", "--await-compile", exitCode.toString(), "--take", shared + "="
                    + dir.resolve("own/out"), dir.resolve("own/out/hello").toString(), "--oci-layout",
                    dir.resolve("layout").toString());

            assertThat(run.exitCode()).as(target.toString()).isEqualTo(2);
            assertThat(run.result().reason()).isEqualTo("FileError");
            assertThat(run.result().message()).contains("is a symbolic link (to " + target + ")",
                    "copy the file there, do not link it");
            assertThat(dir.resolve("own/out/hello")).doesNotExist();
        }
        assertThat(program).exists();
    }

    /** A root keeps its links (they are resolved inside it when it is read), but must itself be a directory. */
    @Test
    void aRootKeepsItsLinksButMustBeADirectoryItself(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("workspace/bundle-root/lib"));
        Files.writeString(root.resolve("libx.so.1.2"), "x");
        Files.createSymbolicLink(root.resolve("libx.so.1"), Path.of("libx.so.1.2"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/lib/libx.so.1.2"));
        Path exitCode = Files.writeString(dir.resolve("compile-exit"), "0\n");
        Path program = Compilers.gcc(dir.resolve("cc"), "hello", HELLO, "-O2", "-static");

        CliRun run = CliRun.of("package", "--await-compile", exitCode.toString(), "--take-root",
                dir.resolve("workspace/bundle-root") + "=" + dir.resolve("own/bundle-root"), program.toString(),
                "--oci-layout", dir.resolve("layout").toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(Files.readSymbolicLink(dir.resolve("own/bundle-root/lib/libx.so.1"))).hasToString("libx.so.1.2");
        assertThat(Files.readSymbolicLink(dir.resolve("own/bundle-root/lib/abs"))).hasToString("/lib/libx.so.1.2");
        assertThat(Files.readString(dir.resolve("own/bundle-root/lib/libx.so.1.2"))).isEqualTo("x");

        Path linkedRoot = Files.createSymbolicLink(dir.resolve("workspace/linked-root"), dir);
        CliRun refused = CliRun.of("package", "--await-compile", exitCode.toString(), "--take-root",
                linkedRoot + "=" + dir.resolve("own/linked-root"), program.toString(), "--oci-layout",
                dir.resolve("layout2").toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.result().message()).contains(linkedRoot + " is not a directory");
    }

    /** The exit-code file is the build's to write too: anything but a short regular file is no success. */
    @Test
    void anExitCodeFileThatIsNotAShortLineIsNoSuccess(@TempDir Path dir) throws Exception {
        Path zeroes = Files.createSymbolicLink(dir.resolve("code-link"), Path.of("/dev/zero"));
        Path directory = Files.createDirectories(dir.resolve("code-dir"));
        Path long_ = Files.writeString(dir.resolve("code-long"), "0".repeat(40));
        for (Path exitCode : java.util.List.of(zeroes, directory, long_)) {
            CliRun run = CliRun.of("package", "--await-compile", exitCode.toString(), "--await-timeout", "5",
                    dir.resolve("own/out/hello").toString(), "--oci-layout", dir.resolve("layout").toString());
            assertThat(run.exitCode()).as(exitCode.toString()).isEqualTo(8);
            assertThat(run.result().message()).as(exitCode.toString()).contains("exit code 1", "nothing was packed");
        }
    }

    /** What the packer packs to warm up while it waits is a real static program: it runs, and exits 0. */
    @Test
    void theWarmUpsTinyProgramIsAStaticProgramThatRuns(@TempDir Path dir) throws Exception {
        Path program = Files.write(dir.resolve("exit"), TinyProgram.ELF);
        program.toFile().setExecutable(true);
        Process run = new ProcessBuilder(program.toString()).start();
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isZero();

        CliRun packed = CliRun.of("package", program.toString(), "--oci-layout", dir.resolve("layout").toString());
        assertThat(packed.exitCode()).as(packed.all()).isZero();
        assertThat(packed.result().link().verdict()).isEqualTo("Static");
    }
}
