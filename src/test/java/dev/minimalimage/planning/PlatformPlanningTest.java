package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.PodSteps;
import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.TargetPlatform;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.testsupport.Processes;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;

/** spec.platforms as the planner turns it into a builder pod, and the planned compile script run for real. */
class PlatformPlanningTest {

    final BuildPlanner planner = new BuildPlanner(ToolchainImages.DEFAULTS);

    @Test
    void twoPlatformsAreOneCompileStepBuildingEachIntoItsDirectoryAndOnePackageStepBinaryPerPlatform()
            throws Exception {
        MinimalImage both = go(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64);

        BuildPlan plan = planner.plan(both);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(both, plan);

        assertThat(plan.packageArgs()).containsSequence("package",
                "--binary-for=linux/amd64=" + BuilderLayout.OUT_DIR + "/linux-amd64/app",
                "--binary-for=linux/arm64=" + BuilderLayout.OUT_DIR + "/linux-arm64/app");
        Container compile = PodSteps.step(pod, BuilderLayout.COMPILE_CONTAINER);
        assertThat(env(compile)).containsEntry("OUT", BuilderLayout.OUT_DIR + "/app")
                .doesNotContainKey("TARGETARCH"); // each platform's own, inside the script
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("kubernetes.io/arch", "amd64");
        assertThat(plan.inputsHash()).as("the platforms are build inputs")
                .isNotEqualTo(planner.plan(go()).inputsHash())
                .isNotEqualTo(planner.plan(go(TargetPlatform.LINUX_ARM64, TargetPlatform.LINUX_AMD64)).inputsHash());
    }

    @Test
    void onePlatformIsAPlainBuildWithItsTargetAndTheChecksPlatform() throws Exception {
        BuildPlan plan = planner.plan(go(TargetPlatform.LINUX_ARM64));
        assertThat(plan.compile().env()).containsEntry("TARGETPLATFORM", "linux/arm64")
                .containsEntry("TARGETARCH", "arm64").containsEntry("OUT", BuilderLayout.OUT_DIR + "/app");
        assertThat(plan.packageArgs()).containsSequence("package", BuilderLayout.OUT_DIR + "/app",
                "--platform=linux/arm64");
    }

    @Test
    void aNodeSelectorNamingTheArchitectureIsTheUsersAndOtherwiseTheBuilderPodGoesToAnAmd64Node() throws Exception {
        MinimalImage placed = go();
        placed.getSpec().getBuild().setNodeSelector(Map.of("pool", "builders"));
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(placed, planner.plan(placed));
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("pool", "builders")
                .containsEntry("kubernetes.io/arch", "amd64");
        placed.getSpec().getBuild().setNodeSelector(Map.of("kubernetes.io/arch", "amd64v3"));
        assertThat(new BuilderPodFactory(ToolchainImages.DEFAULTS).create(placed, planner.plan(placed)).getSpec()
                .getNodeSelector()).containsExactly(Map.entry("kubernetes.io/arch", "amd64v3"));
    }

    @Test
    void whatCannotBuildPerPlatformIsRefusedNamingTheField() {
        MinimalImage twice = go(TargetPlatform.LINUX_ARM64, TargetPlatform.LINUX_ARM64);
        assertThatThrownBy(() -> planner.plan(twice)).isInstanceOf(InvalidSpecException.class)
                .hasMessage("spec.platforms names linux/arm64 twice");

        MinimalImage bundled = go(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64);
        bundled.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.BUNDLE);
        assertThatThrownBy(() -> planner.plan(bundled)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.verify.linkPolicy Bundle");

        MinimalImage bundledArm = go(TargetPlatform.LINUX_ARM64);
        bundledArm.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.BUNDLE);
        assertThatThrownBy(() -> planner.plan(bundledArm)).as("the toolchain's libraries are amd64 ones")
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("for linux/amd64 only");

        MinimalImage twin = go(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64);
        twin.getSpec().getImage().setDebugTag("debug");
        assertThatThrownBy(() -> planner.plan(twin)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.image.debugTag");

        MinimalImage armOnlySmoke = go(TargetPlatform.LINUX_ARM64);
        armOnlySmoke.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        assertThatThrownBy(() -> planner.plan(armOnlySmoke)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.verify.smokeTest").hasMessageContaining("no linux/amd64");

        MinimalImage dockerfile = Resources.inline("df", Language.Name.C, "registry.example/df:1",
                Map.of("Dockerfile", "FROM scratch\nCOPY app /app\n", "app", "x"));
        dockerfile.getSpec().setLanguage(null);
        dockerfile.getSpec().setDockerfile(new Dockerfile());
        dockerfile.getSpec().setPlatforms(List.of(TargetPlatform.LINUX_ARM64));
        assertThatThrownBy(() -> planner.plan(dockerfile)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.platforms with spec.dockerfile");
    }

    /**
     * The script the pod runs, run by /bin/sh with this host's Go (which cross-compiles itself): both binaries where
     * the package step looks for them, each for its machine; a failing platform ends the step with its exit code.
     */
    @Test
    void thePlannedScriptBuildsEachPlatformForItsMachineAndStopsAtTheFirstFailure(@TempDir Path dir)
            throws Exception {
        Processes.requireOnPath("go");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("main.go"), "package main\nfunc main() { println(\"hi\") }\n");
        BuildPlan plan = planner.plan(go(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64));
        Path out = dir.resolve("out");
        String script = plan.compile().script().replace(BuilderLayout.OUT_DIR, out.toString());

        Process ok = run(script, plan, src, dir);
        String log = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ok.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.exitValue()).as(log).isZero();
        assertThat(log).contains("building for linux/amd64").contains("building for linux/arm64");
        assertThat(ElfLinkAnalyzer.analyze(out.resolve("linux-amd64/app")).machine()).isEqualTo("x86-64");
        assertThat(ElfLinkAnalyzer.analyze(out.resolve("linux-arm64/app")).machine()).isEqualTo("AArch64");
        assertThat(dir.resolve("toolchain-record/var/lib/dpkg/status")).as("this Debian host's dpkg database, copied"
                + " for the SBOM").hasSameTextualContentAs(Path.of("/var/lib/dpkg/status"));

        Files.writeString(src.resolve("main.go"), "package main\nfunc main() { undefined() }\n");
        Process failing = run(script, plan, src, dir);
        String failed = new String(failing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(failing.waitFor(300, TimeUnit.SECONDS)).isTrue();
        int goBuild = Processes.run(java.time.Duration.ofSeconds(120), List.of("go", "build", "-o",
                dir.resolve("direct").toString(), "main.go"), Map.of("GOCACHE", dir.resolve("cache/direct").toString(),
                        "HOME", dir.resolve("home").toString(), "GO111MODULE", "off"), src).exitCode();
        assertThat(goBuild).as("go build itself fails on it").isNotZero();
        assertThat(failing.exitValue()).as("go build's own exit code, through the loop: " + failed)
                .isEqualTo(goBuild);
        assertThat(failed).contains("the build for linux/amd64 failed").doesNotContain("building for linux/arm64");
    }

    private static Process run(String script, BuildPlan plan, Path src, Path dir) throws Exception {
        ProcessBuilder sh = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
        sh.environment().putAll(plan.compile().env());
        sh.environment().putAll(Map.of("SRC", src.toString(), "WORK", dir.resolve("work").toString(),
                "HOME", dir.resolve("home").toString(), "CACHE_DIR", dir.resolve("cache").toString(),
                "TOOLCHAIN_RECORD", dir.resolve("toolchain-record").toString()));
        return sh.start();
    }

    private static MinimalImage go(TargetPlatform... platforms) {
        MinimalImage go = Resources.inline("app", Language.Name.GO, "registry.example/app:1",
                Map.of("main.go", "package main\nfunc main() {}\n"));
        if (platforms.length > 0) {
            go.getSpec().setPlatforms(List.of(platforms));
        }
        return go;
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName,
                e -> e.getValue() == null ? "" : e.getValue(), (a, b) -> b));
    }
}
