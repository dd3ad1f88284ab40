package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.BuilderPodFactory;
import dev.minimalimage.planning.ToolchainImages;
import dev.minimalimage.testsupport.Processes;
import io.fabric8.kubernetes.api.model.Container;

/**
 * The runtime step held by its postStart hook (a Dockerfile build with one stage container), both halves for real:
 * `stage-runtime --hold` as the pod runs it, and the hook's own command from the pod the operator makes, run by this
 * host's static busybox (the builder image's is the same package) with its file moved into a temporary directory.
 */
class RuntimeHoldTest {

    /** A copy of a stand-in runtime: a java that is only a file, an application that is only its runner jar. */
    private static List<String> stageRuntime(Path dir, String... more) throws Exception {
        Path javaHome = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Files.copy(Path.of("/usr/bin/true"), javaHome.resolve("bin/java")); // dynamic, as java is: a loader to copy
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.writeString(app.resolve("minimal-image.jar"), "stand-in");
        List<String> args = new ArrayList<>(List.of("stage-runtime", "--to", dir.resolve("copy").toString(),
                "--java-home", javaHome.toString(), "--app", app.toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** The hook of the runtime container the operator makes for a one-stage Dockerfile, its file moved to {@code file}. */
    private static List<String> hook(Path file) throws Exception {
        MinimalImage resource = Resources.inline("df", Language.Name.C, "registry.example/df:1", Map.of("Dockerfile",
                "FROM gcc AS build\nRUN true\nFROM scratch\nCOPY --from=build /bin/true /true\n"));
        resource.getSpec().setLanguage(null);
        resource.getSpec().setDockerfile(new Dockerfile());
        Container runtime = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(resource,
                new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource)).getSpec().getContainers().get(0);
        assertThat(runtime.getName()).isEqualTo(BuilderLayout.RUNTIME_CONTAINER);
        return runtime.getLifecycle().getPostStart().getExec().getCommand().stream()
                .map(word -> word.replace(BuilderLayout.RUNTIME_HOLD_FILE, file.toString())).toList();
    }

    @Test
    void theCopyStaysUntilItsHookTookTheFileAndTheHookWaitsForTheCopy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("copied");
        // the hook starts first, as the kubelet runs it right after the container's start
        CompletableFuture<Processes.Result> hook = CompletableFuture.supplyAsync(() -> {
            try {
                return Processes.run(Duration.ofSeconds(60), hook(file));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(hook).as("no copy yet: it waits").isNotDone();

        CliRun copied = CliRun.of(stageRuntime(dir, "--hold", file.toString()).toArray(String[]::new));

        assertThat(copied.exitCode()).as(copied.all()).isZero();
        Processes.Result hooked = hook.get(30, TimeUnit.SECONDS);
        assertThat(hooked.exitCode()).as(hooked.stdout() + hooked.stderr()).isZero();
        assertThat(file).as("taken by the hook").doesNotExist();
        assertThat(dir.resolve("copy/bin/minimal-image")).exists();
    }

    @Test
    void aCopyThatNoHookTakesEndsWithAnErrorAtItsTimeout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("copied");
        CliRun alone = CliRun.of(stageRuntime(dir, "--hold", file.toString(), "--hold-timeout", "1")
                .toArray(String[]::new));
        assertThat(alone.exitCode()).isEqualTo(ExitCodes.INTERNAL);
        assertThat(alone.stderr()).contains("no postStart hook took " + file + " within 1s");
    }
}
