package dev.minimalimage.operator.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuilderLayout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Keeps the newest N finished builder pods (for their logs) and deletes the rest; deletes running pods of
 * superseded inputs, whose result would never be reported anyway.
 */
public final class PodRetention {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PodRetention.class);
    private static final Set<String> FINISHED = Set.of("Succeeded", "Failed");

    private PodRetention() {
    }

    public static void prune(KubernetesClient client, MinimalImage resource, String currentPod, int keepFinished,
            List<Pod> ownedPods) {
        // the current build's pod first (its logs matter most), then newest first; timestamps have 1 s resolution
        List<Pod> finishedNewestFirst = ownedPods.stream().filter(PodRetention::finished)
                .sorted(Comparator.comparing((Pod p) -> !p.getMetadata().getName().equals(currentPod))
                        .thenComparing(p -> p.getMetadata().getCreationTimestamp(),
                                Comparator.nullsLast(Comparator.reverseOrder()))
                        .thenComparing(p -> p.getMetadata().getName()))
                .toList();
        for (int i = keepFinished; i < finishedNewestFirst.size(); i++) {
            delete(client, finishedNewestFirst.get(i), "beyond keepFinishedPods=" + keepFinished);
        }
        ownedPods.stream().filter(p -> !finished(p) && !p.getMetadata().getName().equals(currentPod))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .forEach(p -> delete(client, p, "superseded by " + currentPod));
    }

    /**
     * Smoke-test pods: the current inputs' ones (one per platform that runs) stay for their logs once they ended; one still running after the verdict
     * (a server that passed by still running, a pull that failed) and those of other inputs are deleted.
     */
    public static void pruneSmokeTests(KubernetesClient client, BuildPlan plan, Phase phase, List<Pod> smokePods) {
        boolean decided = phase == Phase.Succeeded || phase == Phase.Failed;
        smokePods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> !current(plan, p) || decided && !finished(p))
                .forEach(p -> delete(client, p, current(plan, p) ? "smoke test decided"
                        : "not the smoke test of the current inputs"));
    }

    /**
     * Stops a builder pod in which a step failed while another still runs (a packer waiting for a compile step whose
     * shell was killed before it could say it ended): by lowering its deadline, so that the pod and its logs stay,
     * and with the failed step named on it, so that its failure is read as that step's (see PodInspector).
     */
    public static void stopAfterFailedStep(KubernetesClient client, List<Pod> ownedPods) {
        for (Pod pod : ownedPods) {
            dev.minimalimage.operator.status.PodInspector.failedWhileOthersRun(pod).ifPresent(step -> {
                LOG.infof("stopping pod %s/%s: step %s failed while another still runs",
                        pod.getMetadata().getNamespace(), pod.getMetadata().getName(), step);
                String patch = "{\"metadata\":{\"annotations\":{\"" + BuilderLayout.ANNOTATION_STOPPED + "\":\""
                        + step + "\"}},\"spec\":{\"activeDeadlineSeconds\":1}}";
                try {
                    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                            .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), patch);
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() != java.net.HttpURLConnection.HTTP_NOT_FOUND) { // gone meanwhile: nothing to stop
                        throw e;
                    }
                }
            });
        }
    }

    /** One of the current inputs' smoke-test pods (one per platform that runs), by the inputs hash they carry. */
    private static boolean current(BuildPlan plan, Pod pod) {
        return plan.hasSmokeTest() && pod.getMetadata().getLabels() != null
                && plan.inputsHash().equals(pod.getMetadata().getLabels().get(BuilderLayout.LABEL_BUILD_HASH));
    }

    private static boolean finished(Pod pod) {
        return pod.getStatus() != null && FINISHED.contains(pod.getStatus().getPhase());
    }

    private static void delete(KubernetesClient client, Pod pod, String why) {
        LOG.infof("deleting pod %s/%s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), why);
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    }
}
