package dev.minimalimage.operator;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.InvalidSpecException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;

/**
 * MinimalImage -> builder pod -> status. The workflow creates the dependents (source ConfigMap, builder pod);
 * this class reads the pod, asks the {@link StatusAggregator} for the status, writes it only if it changed, and
 * only then deletes pods it no longer needs.
 * Pod events wake it up; it never sleeps or polls.
 */
@ControllerConfiguration(name = MinimalImageReconciler.NAME)
@Workflow(dependents = {
        @Dependent(name = "inline-source", type = InlineSourceConfigMap.class,
                activationCondition = InlineSourceCondition.class),
        @Dependent(name = "builder-pod", type = BuilderPod.class, reconcilePrecondition = BuildNeededCondition.class)
})
public class MinimalImageReconciler implements Reconciler<MinimalImage> {

    /** The key of this controller's settings: quarkus.operator-sdk.controllers.minimalimage.* (namespaces, retry). */
    public static final String NAME = "minimalimage";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HTTP_CONFLICT = 409;
    private static final Duration PREFLIGHT_RECHECK = Duration.ofMinutes(1);
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MinimalImageReconciler.class);

    @Inject
    KubernetesClient client;
    @Inject
    BuildEvents events;
    @Inject
    BuildMetrics metrics;

    private final StatusAggregator aggregator = new StatusAggregator(Clock.systemUTC(),
            OperatorSettings.maxPodRecreations());

    @Override
    public UpdateControl<MinimalImage> reconcile(MinimalImage resource, Context<MinimalImage> context) {
        MinimalImageStatus before = resource.getStatus();
        MinimalImageStatus after;
        BuildPlan plan = null;
        Optional<Preflight.Problem> problem = Optional.empty();
        try {
            plan = Plans.plan(resource);
            Optional<Pod> pod = currentPod(context, plan);
            boolean starting = pod.isEmpty() && BuildNeededCondition.needed(resource.getStatus(), plan.inputsHash());
            problem = starting ? Preflight.check(client, resource, plan) : Optional.empty();
            after = problem.isPresent() ? aggregator.refused(resource, problem.get().reason(), problem.get().message())
                    : aggregator.compute(resource, plan, pod);
        } catch (InvalidSpecException e) {
            after = aggregator.invalidSpec(resource, e.getMessage());
        }
        if (!sameJson(before, after)) {
            announce(resource, before, after);
            writeStatus(resource, context, after);
        }
        if (plan != null) {
            cleanUp(resource, plan, after, context);
        }
        // a Secret or claim fixed later wakes no one (the operator watches neither): look again on a timer
        return problem.isPresent() ? UpdateControl.<MinimalImage>noUpdate().rescheduleAfter(PREFLIGHT_RECHECK)
                : UpdateControl.noUpdate();
    }

    /**
     * Replaces the whole status (PUT on the status subresource, optimistic locking, JOSDK re-reads the cache and
     * retries on a conflict) and caches the result, so the reconcile that the clean-up below triggers already sees it
     * (no stale rebuild). A replace, not a patch: the JSON patch computed against the informer's copy is rejected by a
     * real API server (422) when that copy carries a status the server does not have (CustomResource.initStatus()
     * fills in an empty one), and a merge patch cannot clear the fields of a previous build.
     */
    private static void writeStatus(MinimalImage resource, Context<MinimalImage> context, MinimalImageStatus status) {
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(resource, context, r -> {
            r.setStatus(status);
            return r;
        }, r -> {
            try {
                return context.getClient().resource(r).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() == HTTP_CONFLICT) {
                    throw e; // JOSDK waits for a newer copy in its cache and retries
                }
                // anything else never heals by waiting for the cache (JOSDK would poll it for 10 s per attempt):
                // fail this reconcile now, with the server's reason, and let the controller's retry back off
                LOG.warnf("status of %s/%s not written (HTTP %d): %s", r.getMetadata().getNamespace(),
                        r.getMetadata().getName(), e.getCode(), e.getMessage());
                throw new IllegalStateException("status write rejected with HTTP " + e.getCode(), e);
            }
        });
    }

    private static Optional<Pod> currentPod(Context<MinimalImage> context, BuildPlan plan) {
        return context.getSecondaryResources(Pod.class).stream()
                .filter(p -> plan.podName().equals(p.getMetadata().getName()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .findFirst();
    }

    /** Pull failures never heal inside one pod's lifetime worth waiting for; free the node and keep the verdict. */
    private void cleanUp(MinimalImage resource, BuildPlan plan, MinimalImageStatus after, Context<MinimalImage> context) {
        List<Pod> owned = context.getSecondaryResources(Pod.class).stream().toList();
        boolean pullFailed = after.getPhase() == Phase.Failed && readyReason(after).endsWith("ImagePullFailed");
        owned.stream().filter(p -> pullFailed && p.getMetadata().getName().equals(plan.podName()))
                .forEach(p -> client.pods().inNamespace(p.getMetadata().getNamespace())
                        .withName(p.getMetadata().getName()).delete());
        int keep = resource.getSpec().getBuild() == null ? 2 : resource.getSpec().getBuild().getKeepFinishedPods();
        PodRetention.prune(client, resource, plan.podName(), keep, owned);
    }

    /** Events and metrics on transitions only, so a re-reconcile never double counts. */
    private void announce(MinimalImage resource, MinimalImageStatus before, MinimalImageStatus after) {
        boolean newBuild = before == null || !Objects.equals(before.getBuildHash(), after.getBuildHash());
        Phase was = before == null || newBuild ? null : before.getPhase();
        if (after.getPhase() == was) {
            if (before != null && after.getPodRecreations() != null
                    && !after.getPodRecreations().equals(before.getPodRecreations())) {
                events.warning(resource, Reasons.EVENT_POD_RECREATED, "builder pod " + after.getBuilderPod()
                        + " vanished mid-build and was recreated (" + after.getPodRecreations() + ")");
            }
            return;
        }
        switch (after.getPhase()) {
            case Pending, Building -> {
                if (was == null || was == Phase.Succeeded || was == Phase.Failed) {
                    metrics.started();
                    events.normal(resource, Reasons.EVENT_BUILD_STARTED, "building in pod " + after.getBuilderPod());
                }
            }
            case Succeeded -> {
                metrics.succeeded(after.getStartTime(), after.getCompletionTime(), after.getCompressedSize(),
                        after.getBinarySize());
                events.normal(resource, Reasons.EVENT_BUILD_SUCCEEDED, "pushed " + after.getImageRef() + " ("
                        + after.getCompressedSize() + " bytes, " + verdict(after) + ")");
            }
            case Failed -> {
                String reason = readyReason(after);
                metrics.failed(reason, after.getStartTime(), after.getCompletionTime());
                events.warning(resource, Reasons.INVALID_SPEC.equals(reason) ? Reasons.EVENT_INVALID_SPEC
                        : Reasons.EVENT_BUILD_FAILED, reason + ": " + readyMessage(after));
            }
        }
    }

    private static String verdict(MinimalImageStatus status) {
        return status.getLink() == null ? "link unknown" : status.getLink().getVerdict();
    }

    private static String readyReason(MinimalImageStatus status) {
        return status.getConditions().stream().filter(c -> Conditions.READY.equals(c.getType()))
                .map(c -> c.getReason()).findFirst().orElse("");
    }

    private static String readyMessage(MinimalImageStatus status) {
        return status.getConditions().stream().filter(c -> Conditions.READY.equals(c.getType()))
                .map(c -> c.getMessage()).findFirst().orElse("");
    }

    private static boolean sameJson(MinimalImageStatus a, MinimalImageStatus b) {
        return JSON.valueToTree(a).equals(JSON.valueToTree(b));
    }
}
