package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.TargetPlatform;
import dev.minimalimage.operator.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Where each platform of a two-platform image is smoke tested, as a table of what the cluster offers, and the pods
 * those runs get: a foreign platform runs its own image on its own nodes, or under the emulator, or not at all.
 */
class SmokeRunsTest {

    static final String INDEX = "registry.example/team/app@sha256:" + "11".repeat(32);
    static final String ARM64_DIGEST = "sha256:" + "22".repeat(32);
    static final String EMULATOR = "registry.example/minimal-image-emulator:1";
    static final List<SmokeRuns.Pushed> PUSHED = List.of(new SmokeRuns.Pushed("linux/amd64", "sha256:" + "33".repeat(32)),
            new SmokeRuns.Pushed("linux/arm64", ARM64_DIGEST));

    @ParameterizedTest(name = "arm64 node {0}, emulator {1}: {2}")
    @CsvSource({
            "true,  true,  NODE",
            "true,  false, NODE",
            "false, true,  EMULATED",
            "false, false, NOT_RUN",
    })
    void aForeignPlatformRunsOnItsOwnNodesElseUnderTheEmulatorElseNotAtAll(boolean arm64Node, boolean emulator,
            SmokeRuns.Placement expected) throws Exception {
        MinimalImage resource = twoPlatformGo();
        BuildPlan plan = plan(resource);
        List<Map<String, String>> asked = new ArrayList<>();
        SmokeRuns.Cluster cluster = new SmokeRuns.Cluster(selector -> {
            asked.add(selector);
            return arm64Node && "arm64".equals(selector.get("kubernetes.io/arch"));
        }, emulator ? EMULATOR : null);

        List<SmokeRuns.Run> runs = SmokeRuns.of(plan, resource.getSpec().getBuild(), INDEX, PUSHED, cluster);

        assertThat(runs).extracting(r -> r.platform().toString()).containsExactly("linux/amd64", "linux/arm64");
        SmokeRuns.Run home = runs.get(0);
        assertThat(home.home()).isTrue();
        assertThat(home.placement()).isEqualTo(SmokeRuns.Placement.NODE);
        assertThat(home.podName()).isEqualTo(plan.smokePodName());
        assertThat(home.imageRef()).as("the index: the node's runtime picks its platform").isEqualTo(INDEX);
        SmokeRuns.Run arm64 = runs.get(1);
        assertThat(arm64.placement()).isEqualTo(expected);
        assertThat(asked).as("the user's node selector, with the platform's architecture")
                .containsExactly(Map.of("kubernetes.io/arch", "arm64", "pool", "builders"));
        if (expected == SmokeRuns.Placement.NOT_RUN) {
            assertThat(arm64.podName()).isNull();
            assertThat(arm64.note()).contains("not run in the cluster", "kubernetes.io/arch=arm64",
                    "smokeTest.emulatorImage", "minimal-image build --platform linux/arm64 --smoke-test");
        } else {
            assertThat(arm64.podName()).isNotEqualTo(home.podName()).endsWith("-arm64");
            assertThat(arm64.imageRef()).as("its own manifest, which any node runs as it is")
                    .isEqualTo("registry.example/team/app@" + ARM64_DIGEST);
            assertThat(arm64.note()).contains(expected == SmokeRuns.Placement.NODE ? "on a linux/arm64 node"
                    : "under qemu-aarch64 user-mode emulation on a linux/amd64 node");
        }
    }

    @Test
    void aSinglePlatformImageHasTheHomeRunAloneAndAsksTheClusterNothing() throws Exception {
        MinimalImage resource = twoPlatformGo();
        resource.getSpec().setPlatforms(null);
        SmokeRuns.Cluster asksNothing = new SmokeRuns.Cluster(selector -> {
            throw new AssertionError("asked for nodes: " + selector);
        }, EMULATOR);
        List<SmokeRuns.Run> runs = SmokeRuns.of(plan(resource), resource.getSpec().getBuild(), INDEX, List.of(),
                asksNothing);
        assertThat(runs).singleElement().satisfies(run -> {
            assertThat(run.home()).isTrue();
            assertThat(run.imageRef()).isEqualTo(INDEX);
        });
    }

    @Test
    void anEmulatedRunCopiesQemuInAndRunsTheImagesEntrypointThroughItOnAnAmd64Node() throws Exception {
        MinimalImage resource = twoPlatformGo();
        resource.getSpec().getImage().setArgs(List.of("--serve", "8080"));
        BuildPlan plan = plan(resource);
        SmokeRuns.Run arm64 = SmokeRuns.of(plan, resource.getSpec().getBuild(), INDEX, PUSHED,
                new SmokeRuns.Cluster(selector -> false, EMULATOR)).get(1);

        Pod pod = SmokeTestPods.create(resource, plan, arm64, List.of(), EMULATOR);

        assertThat(pod.getMetadata().getName()).isEqualTo(arm64.podName());
        assertThat(pod.getMetadata().getLabels()).containsEntry(BuilderLayout.LABEL_BUILD_HASH, plan.inputsHash());
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("kubernetes.io/arch", "amd64")
                .containsEntry("pool", "builders");
        Container copy = pod.getSpec().getInitContainers().get(0);
        assertThat(copy.getName()).isEqualTo(BuilderLayout.EMULATOR_CONTAINER);
        assertThat(copy.getImage()).isEqualTo(EMULATOR);
        assertThat(copy.getCommand()).containsExactly("/bin/busybox", "cp", "/qemu/qemu-aarch64-static",
                "/.minimal-image-emulator/");
        assertThat(copy.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        Container smoke = pod.getSpec().getContainers().get(0);
        assertThat(smoke.getImage()).isEqualTo("registry.example/team/app@" + ARM64_DIGEST);
        assertThat(smoke.getCommand()).containsExactly("/.minimal-image-emulator/qemu-aarch64-static", "/app/app");
        assertThat(smoke.getArgs()).as("the command replaces the image's Cmd, so its arguments are passed")
                .containsExactly("--serve", "8080");
        assertThat(smoke.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/.minimal-image-emulator");
            assertThat(m.getReadOnly()).isTrue();
        });
    }

    @Test
    void aRunOnAForeignNodeSelectsThatArchitectureAndRunsTheImageAsItIs() throws Exception {
        MinimalImage resource = twoPlatformGo();
        resource.getSpec().getVerify().getSmokeTest().setArgs(List.of("--version"));
        BuildPlan plan = plan(resource);
        SmokeRuns.Run arm64 = SmokeRuns.of(plan, resource.getSpec().getBuild(), INDEX, PUSHED,
                new SmokeRuns.Cluster(selector -> true, EMULATOR)).get(1);

        Pod pod = SmokeTestPods.create(resource, plan, arm64, List.of(), EMULATOR);

        assertThat(pod.getSpec().getNodeSelector()).containsEntry("kubernetes.io/arch", "arm64");
        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        assertThat(pod.getSpec().getContainers().get(0).getCommand()).isNullOrEmpty();
        assertThat(pod.getSpec().getContainers().get(0).getArgs()).containsExactly("--version");
    }

    private static MinimalImage twoPlatformGo() {
        MinimalImage go = Resources.inline("app", Language.Name.GO, "registry.example/team/app:1",
                Map.of("main.go", "package main\nfunc main() {}\n"));
        go.getMetadata().setNamespace("ns");
        go.getSpec().setPlatforms(List.of(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64));
        go.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        BuildSettings build = new BuildSettings();
        build.setNodeSelector(Map.of("pool", "builders"));
        go.getSpec().setBuild(build);
        return go;
    }

    private static BuildPlan plan(MinimalImage resource) throws InvalidSpecException {
        return new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
    }
}
