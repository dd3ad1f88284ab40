package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.PullSecretReference;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.operator.Resources;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;

/**
 * The smoke-test pod as planned: it pulls the produced image with what the builder pod pulls with, and more; it runs
 * with the image's group, which runAsUser alone would drop.
 */
class SmokeTestPodsTest {

    static final String IMAGE = "registry.example/app@sha256:" + "ab".repeat(32);

    @Test
    void theSmokePodPullsWithThePushSecretAndTheBuilderPodsOperatorWideAndOwnPullSecrets() throws Exception {
        MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
        resource.getMetadata().setNamespace("ns");
        resource.getSpec().getImage().setPushSecret("push");
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        BuildSettings build = new BuildSettings();
        build.setImagePullSecrets(List.of(new PullSecretReference("team-pull"), new PullSecretReference("corp-pull")));
        resource.getSpec().setBuild(build);
        BuildPlan plan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
        List<String> operatorWide = List.of("corp-pull", "mirror-pull");

        Pod smoke = SmokeTestPods.create(resource, plan, home(resource, plan), operatorWide, null);
        Pod builder = new BuilderPodFactory(ToolchainImages.DEFAULTS, operatorWide, null).create(resource, plan);

        List<String> smokeSecrets = names(smoke);
        assertThat(smokeSecrets).containsExactly("push", "corp-pull", "mirror-pull", "team-pull");
        assertThat(smokeSecrets).containsAll(names(builder));
        assertThat(SmokeTestPods.create(resource, plan, home(resource, plan), List.of(), null))
                .extracting(SmokeTestPodsTest::names)
                .isEqualTo(List.of("push", "team-pull", "corp-pull"));
    }

    @Test
    void theSmokePodSetsTheImagesGroupOnlyWhenItNamesOneSinceRunAsUserAloneWouldDropIt() throws Exception {
        MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        BuildPlanner planner = new BuildPlanner(ToolchainImages.DEFAULTS);

        resource.getSpec().getImage().setUser("1000:2000");
        PodSecurityContext explicit = podSecurity(resource, planner.plan(resource));
        assertThat(explicit.getRunAsUser()).isEqualTo(1000L);
        assertThat(explicit.getRunAsGroup()).isEqualTo(2000L);

        resource.getSpec().getImage().setUser("1000");
        PodSecurityContext none = podSecurity(resource, planner.plan(resource));
        assertThat(none.getRunAsUser()).isEqualTo(1000L);
        assertThat(none.getRunAsGroup()).as("the runtime's /etc/passwd lookup, else 0").isNull();

        resource.getSpec().getImage().setUser("0:0");
        BuildPlan root = planner.plan(resource);
        assertThat(root.smokeTest().rootReplaced()).isTrue();
        assertThat(podSecurity(resource, root).getRunAsUser()).isEqualTo(SmokeTestPlan.NON_ROOT_UID);
        assertThat(podSecurity(resource, root).getRunAsGroup()).isZero();
        assertThat(podSecurity(resource, root).getRunAsNonRoot()).isTrue();

        resource.getSpec().getImage().setUser("1000:staff");
        assertThatThrownBy(() -> planner.plan(resource)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.image.user must be a numeric user[:group]: 1000:staff");
    }

    @Test
    void theReadOnlyRootKeepsAWritableTmpOnlyWhenTheImageHasOne() throws Exception {
        MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        BuildPlan plan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
        Pod without = SmokeTestPods.create(resource, plan, home(resource, plan), List.of(), null);
        assertThat(without.getSpec().getVolumes()).isEmpty();
        assertThat(without.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();

        resource.getSpec().getImage().getExtras().setTmp(true);
        Pod with = SmokeTestPods.create(resource, plan, home(resource, plan), List.of(), null);
        assertThat(with.getSpec().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getEmptyDir()).isNotNull();
            assertThat(v.getEmptyDir().getSizeLimit()).isNotNull();
        });
        assertThat(with.getSpec().getContainers().get(0).getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(with.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    /** The run every smoke test has: the pushed image on a node of the smoke-test pod's own platform. */
    static SmokeRuns.Run home(MinimalImage resource, BuildPlan plan) {
        return SmokeRuns.of(plan, resource.getSpec().getBuild(), IMAGE, List.of(), SmokeRuns.Cluster.plain()).get(0);
    }

    static PodSecurityContext podSecurity(MinimalImage resource, BuildPlan plan) {
        return SmokeTestPods.create(resource, plan, home(resource, plan), List.of(), null).getSpec()
                .getSecurityContext();
    }

    static List<String> names(Pod pod) {
        return pod.getSpec().getImagePullSecrets().stream().map(LocalObjectReference::getName).toList();
    }
}
