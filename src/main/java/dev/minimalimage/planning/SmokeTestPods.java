package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.image.ImageConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

/**
 * The smoke-test pod: the pushed image, by digest, run once with the spec's arguments and environment. Pod Security
 * restricted with a read-only root (but a writable /tmp when the image has one: spec.image.extras.tmp gives it for
 * programs that write there, and a smoke test must not fail them for it), no service-account token, no service
 * links, never restarted; the kubelet puts the log tail of a failing run in the termination message. Pulls with the
 * push Secret (it pulls what it pushed) and the builder pod's pull secrets (the operator's and
 * spec.build.imagePullSecrets). And the NetworkPolicy that cuts the resource's smoke-test pods off the network.
 */
public final class SmokeTestPods {

    /** Small requests, so a quota counts the pod; no limits a program's first second could hit. */
    private static final Map<String, Quantity> REQUESTS = Map.of("cpu", new Quantity("10m"),
            "memory", new Quantity("32Mi"));
    private static final String TMP_VOLUME = "tmp";
    /** A short test's scratch space; past it the kubelet evicts the pod rather than fill the node. */
    private static final Quantity TMP_SIZE_LIMIT = new Quantity("64Mi");

    private SmokeTestPods() {
    }

    /**
     * {@code imageRef}: the pushed image by digest (status.imageRef); {@code operatorPullSecrets}: the operator-wide
     * pull secrets its builder pods get (minimal-image.builder.image-pull-secrets).
     */
    public static Pod create(MinimalImage resource, BuildPlan plan, String imageRef, List<String> operatorPullSecrets) {
        SmokeTestPlan test = plan.smokeTest();
        BuildSettings build = resource.getSpec().getBuild() == null ? new BuildSettings() : resource.getSpec().getBuild();
        List<EnvVar> env = test.env().stream()
                .map(e -> new EnvVar(e.getName(), ContainerArgs.literal(e.getValue() == null ? "" : e.getValue()), null))
                .toList();
        return new PodBuilder()
                .withNewMetadata()
                    .withName(plan.smokePodName())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .withLabels(BuilderPodFactory.labels(resource, plan, BuilderLayout.COMPONENT_SMOKE_TEST))
                    .withOwnerReferences(BuilderPodFactory.controllerReference(resource))
                .endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    // a server must outlive the timeout: only a program that should exit gets a deadline
                    .withActiveDeadlineSeconds(test.expectRunning() ? null : test.timeoutSeconds())
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withNewSecurityContext()
                        // runAsUser alone would drop the image's group: the runtime then ignores the image's User
                        .withRunAsNonRoot(true).withRunAsUser(test.runAsUser()).withRunAsGroup(test.runAsGroup())
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .addNewContainer()
                        .withName(BuilderLayout.SMOKE_CONTAINER)
                        .withImage(imageRef)
                        .withImagePullPolicy("IfNotPresent")
                        .withArgs(test.args().isEmpty() ? null : ContainerArgs.literal(test.args()))
                        .withEnv(env)
                        .withTerminationMessagePolicy("FallbackToLogsOnError")
                        .withNewResources().withRequests(REQUESTS).endResources()
                        .withSecurityContext(BuilderPodFactory.restricted())
                        .withVolumeMounts(hasTmp(resource) ? List.of(new VolumeMountBuilder().withName(TMP_VOLUME)
                                .withMountPath(ImageConfig.Extras.TMP_PATH).build()) : List.of())
                    .endContainer()
                    .withVolumes(hasTmp(resource) ? List.of(new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir()
                            .withSizeLimit(TMP_SIZE_LIMIT).endEmptyDir().build()) : List.of())
                    .withImagePullSecrets(pullSecrets(plan, build, operatorPullSecrets))
                    // an amd64 node: where the runtime picks the linux/amd64 image of an index (PlatformSmokeTests)
                    .withNodeSelector(BuilderPodFactory.nodeSelector(build))
                    .withTolerations(build.getTolerations())
                .endSpec()
                .build();
    }

    private static boolean hasTmp(MinimalImage resource) {
        return resource.getSpec().getImage().getExtras() != null && resource.getSpec().getImage().getExtras().isTmp();
    }

    /**
     * Denies all ingress and egress of the resource's smoke-test pods (whatever their inputs). Takes effect only
     * where the network plugin enforces NetworkPolicies.
     */
    /**
     * The platform whose image the smoke-test pod runs (os/architecture): the architecture of the nodes its selector
     * names, where the runtime picks that platform's image of an index.
     */
    public static String platformRun(BuildSettings build) {
        return "linux/" + BuilderPodFactory.nodeSelector(build == null ? new BuildSettings() : build)
                .get(BuilderPodFactory.ARCH_LABEL);
    }

    public static NetworkPolicy networkPolicy(MinimalImage resource) {
        String name = resource.getMetadata().getName();
        LabelSelector smokePods = new LabelSelectorBuilder()
                .addToMatchLabels(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY)
                .addToMatchLabels(BuilderLayout.LABEL_COMPONENT, BuilderLayout.COMPONENT_SMOKE_TEST)
                .addToMatchLabels(BuilderLayout.LABEL_IMAGE, GeneratedNames.of(name, "")).build();
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                    .withName(networkPolicyName(name))
                    .withNamespace(resource.getMetadata().getNamespace())
                    .addToLabels(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY)
                    .addToLabels(BuilderLayout.LABEL_COMPONENT, BuilderLayout.COMPONENT_SMOKE_TEST)
                    .addToLabels(BuilderLayout.LABEL_IMAGE, GeneratedNames.of(name, ""))
                .endMetadata()
                .withNewSpec()
                    .withPodSelector(smokePods)
                    .withPolicyTypes("Ingress", "Egress") // and no rules: nothing in, nothing out
                .endSpec()
                .build();
    }

    public static String networkPolicyName(String resourceName) {
        return GeneratedNames.of(resourceName, "-smoke-test");
    }

    /** The push Secret (it pulls what it pushed), then the builder pod's own list. */
    private static List<LocalObjectReference> pullSecrets(BuildPlan plan, BuildSettings build,
            List<String> operatorPullSecrets) {
        Set<String> names = new LinkedHashSet<>();
        if (plan.pushSecret() != null) {
            names.add(plan.pushSecret());
        }
        names.addAll(BuilderPodFactory.pullSecrets(operatorPullSecrets, build));
        return new ArrayList<>(names.stream().map(LocalObjectReference::new).toList());
    }
}
