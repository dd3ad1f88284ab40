package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;

/**
 * A Dockerfile build's last stage container beside the packer, as the builder pod runs them (without the pod): the
 * packer (`build --dockerfile --handoff --await-compile`) starts first and waits; `run-stage` hands its files on and
 * writes its exit code; the packer packs what was handed on the moment it reads a 0, and nothing on another code.
 */
class DockerfileHandoverTest {

    private static final String DOCKERFILE = """
            FROM toolchain.example/gcc:14 AS build
            COPY hello /out/hello
            FROM scratch
            COPY --from=build /out/hello /hello
            ENTRYPOINT ["/hello"]
            """;

    private static Path context(Path dir) throws Exception {
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
        Files.write(context.resolve("hello"), TinyProgram.ELF);
        Files.setPosixFilePermissions(context.resolve("hello"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return context;
    }

    private static CliRun runStage(Path dir, Path context, Path exitCode, String key) {
        return CliRun.of("run-stage", "--dockerfile", context.resolve("Dockerfile").toString(), "--context",
                context.toString(), "--key", key, "--handoff", dir.resolve("handoff").toString(), "--root",
                dir.resolve("stage-root").toString(), "--exit-code-file", exitCode.toString());
    }

    /** As the pod runs it: the stages' hand-over taken into a directory of its own, which it then reads. */
    private static CliRun packer(Path dir, Path context, Path exitCode, String layout) {
        Path own = dir.resolve(layout + "-handoff");
        return CliRun.of("build", "--dockerfile", context.resolve("Dockerfile").toString(), "--source",
                context.toString(), "--handoff", own.toString(), "--await-compile", exitCode.toString(),
                "--await-timeout", "60", "--take-root", dir.resolve("handoff") + "=" + own, "--oci-layout",
                dir.resolve(layout).toString());
    }

    @Test
    void thePackerWaitsForTheLastStageThenPacksWhatItHandedOn(@TempDir Path dir) throws Exception {
        Path context = context(dir);
        Files.createDirectories(dir.resolve("stage-root"));
        Path exitCode = Files.createDirectories(dir.resolve("exit")).resolve("code");

        CompletableFuture<CliRun> packing = CompletableFuture.supplyAsync(() -> packer(dir, context, exitCode,
                "layout"));
        Thread.sleep(300);
        assertThat(packing).as("it waits for the stage's exit code").isNotDone();

        CliRun stage = runStage(dir, context, exitCode, "stage-0");
        assertThat(stage.exitCode()).as(stage.all()).isZero();
        assertThat(Files.readString(exitCode)).isEqualTo("0\n");

        CliRun packed = packing.get(60, TimeUnit.SECONDS);
        assertThat(packed.exitCode()).as(packed.all()).isZero();
        BuildResult result = packed.result();
        assertThat(result.succeeded()).isTrue();
        assertThat(result.digest()).startsWith("sha256:");
        assertThat(dir.resolve("layout/index.json")).exists();
    }

    /**
     * A process the stage left running (its RUN wrote the exit code early) swaps the handed-on file for a link to a
     * file only the packer may read: the packer's copy keeps the link as a link and never reads what it points to.
     */
    @Test
    void aFileSwappedForALinkAfterTheExitCodeNeverBringsTheLinkedFileIn(@TempDir Path dir) throws Exception {
        Path context = context(dir);
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE.replace("ENTRYPOINT [\"/hello\"]",
                "COPY --from=build /out/secret /secret\nENTRYPOINT [\"/hello\"]").replace("COPY hello /out/hello",
                "COPY hello /out/hello\nCOPY secret /out/secret"));
        Files.writeString(context.resolve("secret"), "nothing to see\n");
        Files.createDirectories(dir.resolve("stage-root"));
        Path exitCode = Files.createDirectories(dir.resolve("exit")).resolve("code");
        CliRun stage = runStage(dir, context, exitCode, "stage-0");
        assertThat(stage.exitCode()).as(stage.all()).isZero();
        Path credentials = Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"registry\":\"TOKEN\"}}");
        try (var files = Files.walk(dir.resolve("handoff"))) {
            Path handedOn = files.filter(p -> p.getFileName().toString().equals("secret")).findFirst().orElseThrow();
            Files.delete(handedOn);
            Files.createSymbolicLink(handedOn, credentials);
        }

        CliRun packed = packer(dir, context, exitCode, "layout");
        // the copy kept the link as a link; COPY --from resolves it inside the stage's root, where it names nothing
        assertThat(packed.result().reason()).as(packed.all()).isEqualTo("BuildStepFailed");
        assertThat(packed.result().message()).contains("/out/secret does not exist");
        assertThat(packed.all()).doesNotContain("TOKEN");
        assertThat(dir.resolve("layout")).doesNotExist();
        try (var copied = Files.walk(dir.resolve("layout-handoff"))) {
            assertThat(copied.filter(p -> p.getFileName().toString().equals("secret")).toList())
                    .as("its own copy holds the link, not the file").singleElement()
                    .satisfies(p -> assertThat(Files.isSymbolicLink(p)).isTrue());
        }
    }

    @Test
    void aStageThatFailedLeavesItsCodeAndThePackerPacksNothing(@TempDir Path dir) throws Exception {
        Path context = context(dir);
        Files.delete(context.resolve("hello")); // its COPY fails
        Files.createDirectories(dir.resolve("stage-root"));
        Path exitCode = Files.createDirectories(dir.resolve("exit")).resolve("code");

        CliRun stage = runStage(dir, context, exitCode, "stage-0");
        assertThat(stage.exitCode()).as(stage.all()).isNotZero();
        assertThat(Files.readString(exitCode)).isEqualTo(stage.exitCode() + "\n");

        CliRun packed = packer(dir, context, exitCode, "layout");
        assertThat(packed.exitCode()).as(packed.all()).isNotZero();
        assertThat(packed.result().message()).contains("the Dockerfile's last stage container failed (exit code "
                + stage.exitCode() + ")", "nothing was packed");
        assertThat(dir.resolve("layout")).doesNotExist();

        Path other = dir.resolve("exit/other");
        CliRun unknown = runStage(dir, context, other, "stage-7");
        assertThat(unknown.exitCode()).as("an error picocli reports still leaves a code").isNotZero();
        assertThat(Files.readString(other)).isEqualTo(ExitCodes.INTERNAL + "\n");
    }

    @Test
    void awaitingAStepIsOnlyForADockerfilesPacker(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.c"), "int main(void){return 0;}\n");
        CliRun preset = CliRun.of("build", "--language", "c", "--source", dir.toString(), "--await-compile",
                dir.resolve("code").toString(), "--oci-layout", dir.resolve("layout").toString());
        assertThat(preset.exitCode()).as(preset.all()).isEqualTo(ExitCodes.BAD_ARGUMENTS);
        assertThat(preset.all()).contains("--await-compile only apply with --dockerfile");
    }
}
