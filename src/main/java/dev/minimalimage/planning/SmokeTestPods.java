package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.image.ImageConfig;
import dev.minimalimage.image.Platform;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
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
    private static final String EMULATOR_VOLUME = "emulator";
    /** Room for one qemu user-mode emulator (qemu-aarch64-static is 13 MB). */
    private static final Quantity EMULATOR_SIZE = new Quantity("64Mi");
    /** The emulator image's busybox (Debian's static one), which copies the emulator: the image has no shell. */
    public static final String EMULATOR_SHELL = "/bin/busybox";

    private SmokeTestPods() {
    }

    /**
     * The pod of one platform's {@code run} ({@link SmokeRuns}); {@code operatorPullSecrets}: the operator-wide pull
     * secrets its builder pods get (minimal-image.builder.image-pull-secrets); {@code emulatorImage}: the image with
     * qemu's user-mode emulators, for an emulated run.
     */
    public static Pod create(MinimalImage resource, BuildPlan plan, SmokeRuns.Run run, List<String> operatorPullSecrets,
            String emulatorImage) {
        SmokeTestPlan test = plan.smokeTest();
        BuildSettings build = resource.getSpec().getBuild() == null ? new BuildSettings() : resource.getSpec().getBuild();
        boolean emulated = run.placement() == SmokeRuns.Placement.EMULATED;
        List<VolumeMount> mounts = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        if (hasTmp(resource)) {
            mounts.add(new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath(ImageConfig.Extras.TMP_PATH).build());
            volumes.add(new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().withSizeLimit(TMP_SIZE_LIMIT)
                    .endEmptyDir().build());
        }
        if (emulated) {
            mounts.add(new VolumeMountBuilder().withName(EMULATOR_VOLUME).withMountPath(SmokeRuns.EMULATOR_MOUNT)
                    .withReadOnly(true).build());
            volumes.add(new VolumeBuilder().withName(EMULATOR_VOLUME).withNewEmptyDir().withSizeLimit(EMULATOR_SIZE)
                    .endEmptyDir().build());
        }
        Map<String, String> nodeSelector = SmokeRuns.nodeSelector(build, run.nodeArchitecture(build));
        List<EnvVar> env = test.env().stream()
                .map(e -> new EnvVar(e.getName(), ContainerArgs.literal(e.getValue() == null ? "" : e.getValue()), null))
                .toList();
        return new PodBuilder()
                .withNewMetadata()
                    .withName(run.podName())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .withLabels(BuilderPodFactory.labels(resource, plan, BuilderLayout.COMPONENT_SMOKE_TEST))
                    .withOwnerReferences(BuilderPodFactory.controllerReference(resource))
                .endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    // a server must outlive the timeout: only a program that should exit gets a deadline
                    .withActiveDeadlineSeconds(test.expectRunning() ? null : test.timeoutSeconds())
                    .withTerminationGracePeriodSeconds(BuilderLayout.TERMINATION_GRACE_SECONDS)
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withNewSecurityContext()
                        // runAsUser alone would drop the image's group: the runtime then ignores the image's User
                        .withRunAsNonRoot(true).withRunAsUser(test.runAsUser()).withRunAsGroup(test.runAsGroup())
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .withInitContainers(emulated ? List.of(emulatorCopy(run, emulatorImage)) : List.of())
                    .addNewContainer()
                        .withName(BuilderLayout.SMOKE_CONTAINER)
                        .withImage(run.imageRef())
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand(emulated ? List.of(SmokeRuns.emulatorPath(run.platform()), test.entrypoint())
                                : null)
                        .withArgs(arguments(test, emulated))
                        .withEnv(env)
                        .withTerminationMessagePolicy("FallbackToLogsOnError")
                        .withNewResources().withRequests(REQUESTS).endResources()
                        .withSecurityContext(BuilderPodFactory.restricted())
                        .withVolumeMounts(mounts)
                    .endContainer()
                    .withVolumes(volumes)
                    .withImagePullSecrets(pullSecrets(plan, build, operatorPullSecrets))
                    // the home run's node picks its platform from the index; a foreign run names its own image
                    .withNodeSelector(nodeSelector)
                    .withTolerations(build.getTolerations())
                .endSpec()
                .build();
    }

    /**
     * The emulator's init container: copies qemu's static user-mode emulator for the run's platform from the
     * emulator image (its busybox) into a volume the smoke-test container mounts read-only. The runtime then executes
     * qemu, an amd64 program, which runs the foreign binary: no binfmt_misc registration on the node is needed.
     */
    private static Container emulatorCopy(SmokeRuns.Run run, String emulatorImage) {
        return new ContainerBuilder()
                .withName(BuilderLayout.EMULATOR_CONTAINER)
                .withImage(emulatorImage)
                .withImagePullPolicy("IfNotPresent")
                .withCommand(List.of(EMULATOR_SHELL, "cp", SmokeRuns.emulatorSource(run.platform()),
                        SmokeRuns.EMULATOR_MOUNT + "/"))
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewResources().withRequests(REQUESTS).endResources()
                .withSecurityContext(BuilderPodFactory.restricted())
                .withVolumeMounts(new VolumeMountBuilder().withName(EMULATOR_VOLUME)
                        .withMountPath(SmokeRuns.EMULATOR_MOUNT).build())
                .build();
    }

    /**
     * The program's arguments: the smoke test's, else (null) the image's own Cmd; an emulated run replaces the
     * command, which drops the image's Cmd, so it passes the image's arguments itself.
     */
    private static List<String> arguments(SmokeTestPlan test, boolean emulated) {
        List<String> args = test.args().isEmpty() && emulated ? test.imageArgs() : test.args();
        return args.isEmpty() ? null : ContainerArgs.literal(args);
    }

    private static boolean hasTmp(MinimalImage resource) {
        return resource.getSpec().getImage().getExtras() != null && resource.getSpec().getImage().getExtras().isTmp();
    }

    /**
     * The platform whose image the smoke-test pod of every image runs: the architecture of the nodes its selector
     * names, where the runtime picks that platform's image of an index ({@link SmokeRuns} for the others).
     */
    public static Platform platformRun(BuildSettings build) {
        return new Platform("linux", BuilderPodFactory.nodeSelector(build == null ? new BuildSettings() : build)
                .get(BuilderPodFactory.ARCH_LABEL), null);
    }

    /**
     * Denies all ingress and egress of the resource's smoke-test pods (whatever their inputs). Takes effect only
     * where the network plugin enforces NetworkPolicies.
     */
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
