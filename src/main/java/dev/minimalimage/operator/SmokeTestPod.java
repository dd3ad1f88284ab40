package dev.minimalimage.operator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.SmokeRuns;
import dev.minimalimage.planning.SmokeTestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The smoke-test pods of the current inputs, one per platform that runs ({@link SmokeRuns}): the home platform's runs
 * the pushed image by digest (status.imageRef), each other platform its own image on a node of its architecture or
 * under emulation. Create-only and not a Deleter, like {@link BuilderPod}: once the verdict is in, the precondition
 * turns false and the pods stay for their logs (one still running then is deleted by the reconciler). Owned by the
 * resource.
 */
// (no LeanItemStore: as a bulk dependent its pods go through JOSDK's server-side-apply matcher, which reads managedFields)
@KubernetesDependent(informer = @Informer(labelSelector = BuilderLayout.SMOKE_SELECTOR))
public class SmokeTestPod extends KubernetesDependentResource<Pod, MinimalImage>
        implements Creator<Pod, MinimalImage>, KubernetesBulkDependentResource<Pod, MinimalImage> {

    /** The dependent's (and its informer's) name in the workflow. */
    static final String NAME = "smoke-test-pod";

    public SmokeTestPod() {
        super(Pod.class);
    }

    @Override
    public Map<ResourceID, Pod> desiredResources(MinimalImage resource, Context<MinimalImage> context) {
        WorkflowInput input = WorkflowInput.of(context);
        BuildPlan plan = input.requirePlan();
        String emulator = input.smokeCluster().emulatorImage();
        Map<ResourceID, Pod> pods = new LinkedHashMap<>();
        for (SmokeRuns.Run run : runs(resource, plan, input.smokeCluster())) {
            if (run.runs()) {
                Pod pod = SmokeTestPods.create(resource, plan, run, OperatorSettings.builderImagePullSecrets(),
                        emulator);
                pods.put(ResourceID.fromResource(pod), pod);
            }
        }
        return pods;
    }

    /**
     * Only the current runs' pods: the pods of earlier inputs stay for their logs and are none of this dependent's
     * business (the reconciler prunes them).
     */
    @Override
    public Map<ResourceID, Pod> getSecondaryResources(MinimalImage resource, Context<MinimalImage> context) {
        WorkflowInput input = WorkflowInput.of(context);
        Set<String> current = runs(resource, input.requirePlan(), input.smokeCluster()).stream()
                .filter(SmokeRuns.Run::runs).map(SmokeRuns.Run::podName).collect(Collectors.toSet());
        return Caches.ownSmokeTestPods(context).stream()
                .filter(pod -> current.contains(pod.getMetadata().getName()))
                .collect(Collectors.toMap(ResourceID::fromResource, pod -> pod, (a, b) -> a));
    }

    /** The runs of the image the status says was pushed (the condition makes sure it was). */
    private static List<SmokeRuns.Run> runs(MinimalImage resource, BuildPlan plan, SmokeRuns.Cluster cluster) {
        MinimalImageStatus status = resource.getStatus();
        List<SmokeRuns.Pushed> pushed = status.getPlatforms() == null ? List.of() : status.getPlatforms().stream()
                .map(p -> new SmokeRuns.Pushed(p.getPlatform(), p.getDigest())).toList();
        return SmokeRuns.of(plan, resource.getSpec().getBuild(), status.getImageRef(), pushed,
                SmokeRuns.decided(status, plan.inputsHash()), cluster);
    }
}
