package dev.minimalimage.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.InvalidSpecException;
import dev.minimalimage.result.OutputTail;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * MinimalImage -> builder pod -> status (-> smoke-test pod -> status). The workflow creates the dependents (source
 * ConfigMap, builder pod, and with spec.verify.smokeTest its NetworkPolicy and the smoke-test pod);
 * this class reads the pod, asks the {@link StatusAggregator} for the status, writes it only if it changed, and
 * only then deletes pods it no longer needs.
 * Pod events wake it up; it never sleeps or polls.
 */
@ControllerConfiguration(name = MinimalImageReconciler.NAME)
@Workflow(dependents = {
        @Dependent(name = "inline-source", type = InlineSourceConfigMap.class,
                activationCondition = InlineSourceCondition.class),
        @Dependent(name = Caches.BUILDER_PODS, type = BuilderPod.class,
                reconcilePrecondition = BuildNeededCondition.class),
        @Dependent(name = SmokeTestNetworkPolicy.NAME, type = SmokeTestNetworkPolicy.class,
                reconcilePrecondition = SmokeTestNetworkPolicy.Configured.class),
        @Dependent(name = SmokeTestPod.NAME, type = SmokeTestPod.class,
                reconcilePrecondition = SmokeTestNeededCondition.class, dependsOn = SmokeTestNetworkPolicy.NAME)
})
public class MinimalImageReconciler implements Reconciler<MinimalImage> {

    /** The key of this controller's settings: quarkus.operator-sdk.controllers.minimalimage.* (namespaces, retry). */
    public static final String NAME = "minimalimage";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HTTP_CONFLICT = 409;
    private static final Set<String> NOT_STARTED = Set.of(Reasons.UNSCHEDULABLE, Reasons.VOLUME_MOUNT_FAILED,
            Reasons.POD_NOT_STARTED);
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MinimalImageReconciler.class);

    @Inject
    KubernetesClient client;
    @Inject
    BuildEvents events;
    @Inject
    BuildMetrics metrics;

    private final StatusAggregator aggregator = new StatusAggregator(Clock.systemUTC(),
            OperatorSettings.maxBuildAttempts(), OperatorSettings.retryBackoff());
    private final BranchFollower follower = new BranchFollower();
    /** Wakes queued resources when a build slot frees (their own informers have nothing to say then). */
    private final SimpleInboundEventSource<MinimalImage> slotFreed = new SimpleInboundEventSource<>("slot-freed");

    @Override
    public List<EventSource<?, MinimalImage>> prepareEventSources(EventSourceContext<MinimalImage> context) {
        return List.of(slotFreed, NamedSecrets.eventSource(context));
    }

    @Override
    public UpdateControl<MinimalImage> reconcile(MinimalImage resource, Context<MinimalImage> context) {
        MinimalImageStatus before = resource.getStatus();
        Instant now = Instant.now();
        Optional<BranchFollower.Poll> poll = pollIfDue(resource, now);
        MinimalImage view = poll.map(p -> withPoll(resource, p)).orElse(resource);
        MinimalImageStatus after;
        BuildPlan plan = null;
        Optional<Pod> pod = Optional.empty();
        Optional<Pod> smokePod = Optional.empty();
        Optional<Preflight.Problem> problem = Optional.empty();
        boolean sourcePending = false;
        try {
            plan = Plans.plan(view);
            MinimalImageStatus old = view.getStatus();
            int attempt = Attempts.current(old, plan.inputsHash(), now);
            String podName = plan.podName(attempt);
            pod = currentPod(context, podName);
            boolean starting = pod.isEmpty() && BuildNeededCondition.needed(old, plan.inputsHash(), now)
                    && !BuildNeededCondition.vanished(old, plan, attempt);
            problem = starting ? Preflight.check(client, view, plan) : Optional.empty();
            Optional<Pod> current = pod;
            boolean slotHeld = BuildSlots.INSTANCE.reserved(resource.getMetadata().getNamespace(), podName);
            // the workflow runs the ConfigMap and the pod side by side, and JOSDK drops the event of a dependent's
            // own create: a pod held back for its source ConfigMap is looked at again shortly, not in 30 s
            sourcePending = starting && problem.isEmpty() && plan.isInline() && !slotHeld;
            if (sourcePending && !sourceCached(context, plan)) {
                // neither queued nor started yet: say nothing until the ConfigMap is there (no status flapping)
                return UpdateControl.<MinimalImage>noUpdate().rescheduleAfter(Timers.SOURCE_RECHECK);
            }
            if (problem.isPresent()) {
                after = aggregator.refused(view, problem.get().reason(), problem.get().message());
            } else if (starting && BranchFollower.interval(view).isPresent()
                    && (old == null || old.getTrackedCommit() == null)) {
                after = aggregator.refused(view, Reasons.SOURCE_POLL_FAILED, poll.map(BranchFollower.Poll::failure)
                        .orElse("the head of the followed branch was not looked up yet"));
            } else if (starting && !slotHeld) {
                after = aggregator.queued(view, plan, OperatorSettings.maxConcurrentBuilds());
            } else {
                smokePod = smokeTestPod(context, plan);
                String smokePodName = plan.smokePodName();
                after = aggregator.compute(view, plan, current, () -> current.flatMap(this::lastMountFailure),
                        smokePod, () -> smokeTestLog(view.getMetadata().getNamespace(), smokePodName));
            }
        } catch (InvalidSpecException e) {
            after = aggregator.invalidSpec(view, e.getMessage());
        }
        keepPollState(view, after);
        if (!sameJson(before, after)) {
            announce(resource, before, after);
            String tracked = after.getTrackedCommit();
            poll.map(BranchFollower.Poll::failure).filter(failure -> tracked != null)
                    .ifPresent(failure -> events.warning(resource, Reasons.SOURCE_POLL_FAILED, failure));
            writeStatus(resource, context, after);
        }
        if (plan != null) {
            cleanUp(resource, plan, after, context);
        }
        if (endedBuild(before, after)) {
            wakeQueued(context);
        }
        boolean moved = poll.isPresent() && !Objects.equals(before == null ? null : before.getTrackedCommit(),
                after.getTrackedCommit());
        boolean smokePending = smokePod.isEmpty() && plan != null && SmokeTestNeededCondition.needed(after, plan);
        // the workflow ran before this reconcile knew the new inputs, or that the image was pushed: run it again
        if (sourcePending || moved || smokePending) {
            return UpdateControl.<MinimalImage>noUpdate().rescheduleAfter(Timers.SOURCE_RECHECK);
        }
        MinimalImageStatus written = after;
        Optional<Duration> nextPoll = BranchFollower.interval(view)
                .map(interval -> Duration.between(now, BranchFollower.nextPoll(written, interval)));
        BuildPlan planned = plan;
        Optional<Instant> smokeDeadline = smokePod.filter(p -> SmokeTestNeededCondition.needed(written, planned))
                .flatMap(p -> SmokeInspector.nextDeadline(p, planned.smokeTest(),
                        StatusAggregator.smokeBudget(planned), now));
        return Timers.next(problem.isPresent(), after, plan, pod, now, nextPoll, smokeDeadline)
                .map(wait -> UpdateControl.<MinimalImage>noUpdate().rescheduleAfter(wait))
                .orElse(UpdateControl.noUpdate());
    }

    /**
     * Looks up the followed branch's head when its interval has passed, but only once the pre-flight checks pass:
     * the git Secret's credentials go to no host its git-hosts annotation does not name.
     */
    private Optional<BranchFollower.Poll> pollIfDue(MinimalImage resource, Instant now) {
        Optional<Duration> interval = BranchFollower.interval(resource);
        if (interval.isEmpty() || now.isBefore(BranchFollower.nextPoll(resource.getStatus(), interval.get()))) {
            return Optional.empty();
        }
        return Plans.tryPlan(resource).filter(plan -> Preflight.check(client, resource, plan).isEmpty())
                .map(plan -> follower.poll(client, resource, now));
    }

    /** The resource as this reconcile sees it: its status with the poll's result (the head, or the last one kept). */
    private static MinimalImage withPoll(MinimalImage resource, BranchFollower.Poll poll) {
        MinimalImageStatus status = resource.getStatus() == null ? new MinimalImageStatus()
                : JSON.convertValue(resource.getStatus(), MinimalImageStatus.class);
        if (poll.commit() != null) {
            status.setTrackedCommit(poll.commit());
        }
        status.setLastPollTime(poll.time());
        MinimalImage view = new MinimalImage();
        view.setMetadata(resource.getMetadata());
        view.setSpec(resource.getSpec());
        view.setStatus(status);
        return view;
    }

    /** Every status path keeps what polling learnt; a resource that stopped following forgets it. */
    private static void keepPollState(MinimalImage view, MinimalImageStatus after) {
        boolean following = BranchFollower.interval(view).isPresent() && view.getStatus() != null;
        after.setTrackedCommit(following ? view.getStatus().getTrackedCommit() : null);
        after.setLastPollTime(following ? view.getStatus().getLastPollTime() : null);
    }

    private static boolean sourceCached(Context<MinimalImage> context, BuildPlan plan) {
        return context.getSecondaryResources(ConfigMap.class).stream()
                .anyMatch(c -> plan.sourceConfigMapName().equals(c.getMetadata().getName()));
    }

    /** This resource's build stopped taking a slot: let the oldest queued ones try (they wait on no informer). */
    private void wakeQueued(Context<MinimalImage> context) {
        BuildSlots.INSTANCE.nextInLine(Caches.builderPods(context), Caches.resources(context),
                OperatorSettings.maxConcurrentBuilds()).forEach(slotFreed::propagateEvent);
    }

    private static boolean endedBuild(MinimalImageStatus before, MinimalImageStatus after) {
        boolean wasRunning = before != null && (before.getPhase() == Phase.Pending || before.getPhase() == Phase.Building);
        return wasRunning && after.getPhase() != Phase.Building && after.getPhase() != Phase.Pending
                || wasRunning && Attempts.retryScheduled(after);
    }

    /**
     * After the last retry, an API failure becomes Ready=False (QuotaExceeded, PodRejected or ReconcileError with the
     * server's message) so it reaches the user; but never over a result already Succeeded for this generation, so
     * GitOps health does not flap over a transient fault in housekeeping.
     */
    @Override
    public ErrorStatusUpdateControl<MinimalImage> updateErrorStatus(MinimalImage resource, Context<MinimalImage> context,
            Exception e) {
        boolean lastAttempt = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
        errorStatus(resource, e, lastAttempt).ifPresent(status -> {
            try {
                writeStatus(resource, context, status);
            } catch (RuntimeException writeFailed) { // the API is down for the status too: the log is all there is
                LOG.warnf("error status of %s/%s not written: %s", resource.getMetadata().getNamespace(),
                        resource.getMetadata().getName(), writeFailed.getMessage());
            }
        });
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** The status to show for a reconcile that failed with {@code e}, if any. */
    Optional<MinimalImageStatus> errorStatus(MinimalImage resource, Exception e, boolean lastAttempt) {
        MinimalImageStatus before = resource.getStatus();
        boolean succeeded = before != null && before.getPhase() == Phase.Succeeded
                && Objects.equals(before.getObservedGeneration(), resource.getMetadata().getGeneration());
        if (!lastAttempt || succeeded) {
            return Optional.empty();
        }
        ApiFailures.Failure failure = ApiFailures.classify(e);
        MinimalImageStatus after = aggregator.refused(resource, failure.reason(), failure.message());
        return sameJson(before, after) ? Optional.empty() : Optional.of(after);
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

    /** The kubelet reports a volume it cannot mount only as an event (FailedMount) on the pod. */
    private Optional<String> lastMountFailure(Pod pod) {
        return client.v1().events().inNamespace(pod.getMetadata().getNamespace())
                .withField("involvedObject.name", pod.getMetadata().getName()).list().getItems().stream()
                .filter(e -> "FailedMount".equals(e.getReason()))
                .filter(e -> pod.getMetadata().getUid() == null || e.getInvolvedObject() == null
                        || pod.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                .max(java.util.Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
                .map(e -> e.getMessage());
    }

    private static Optional<Pod> currentPod(Context<MinimalImage> context, String podName) {
        return named(Caches.ownBuilderPods(context), podName);
    }

    /** The current inputs' smoke-test pod, when the spec asks for a smoke test. */
    private static Optional<Pod> smokeTestPod(Context<MinimalImage> context, BuildPlan plan) {
        return plan.hasSmokeTest() ? named(Caches.ownSmokeTestPods(context), plan.smokePodName()) : Optional.empty();
    }

    private static Optional<Pod> named(List<Pod> pods, String name) {
        return pods.stream().filter(p -> name.equals(p.getMetadata().getName()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst();
    }

    /** The smoke-test program's last lines: a run that ended well leaves its output only in the log. */
    private Optional<String> smokeTestLog(String namespace, String name) {
        try {
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).inContainer(dev.minimalimage.planning.BuilderLayout.SMOKE_CONTAINER)
                    .tailingLines(OutputTail.LINES).getLog());
        } catch (KubernetesClientException e) {
            LOG.debugf("log of smoke-test pod %s not read: %s", name, e.getMessage());
            return Optional.empty();
        }
    }

    /** Pull failures never heal inside one pod's lifetime worth waiting for; free the node and keep the verdict. */
    private void cleanUp(MinimalImage resource, BuildPlan plan, MinimalImageStatus after, Context<MinimalImage> context) {
        List<Pod> owned = Caches.ownBuilderPods(context);
        // a pull that failed, or a pod that never started, would only hold the node's (or quota's) room
        boolean pullFailed = after.getPhase() == Phase.Failed && (readyReason(after).endsWith("ImagePullFailed")
                || NOT_STARTED.contains(readyReason(after)));
        String current = after.getBuilderPod() == null ? plan.podName() : after.getBuilderPod();
        owned.stream().filter(p -> pullFailed && p.getMetadata().getName().equals(current))
                .forEach(p -> client.pods().inNamespace(p.getMetadata().getNamespace())
                        .withName(p.getMetadata().getName()).delete());
        int keep = resource.getSpec().getBuild() == null ? 2 : resource.getSpec().getBuild().getKeepFinishedPods();
        PodRetention.prune(client, resource, current, keep, owned);
        PodRetention.pruneSmokeTests(client, plan, after.getPhase(), Caches.ownSmokeTestPods(context));
        // source ConfigMaps of earlier inputs: their pods have the files mounted already or are superseded
        context.getSecondaryResources(ConfigMap.class).stream()
                .filter(c -> !(plan.isInline() && plan.sourceConfigMapName().equals(c.getMetadata().getName())))
                .forEach(c -> client.configMaps().inNamespace(c.getMetadata().getNamespace())
                        .withName(c.getMetadata().getName()).delete());
    }

    /** Events and metrics on transitions only, so a re-reconcile never double counts. */
    private void announce(MinimalImage resource, MinimalImageStatus before, MinimalImageStatus after) {
        boolean newBuild = before == null || !Objects.equals(before.getBuildHash(), after.getBuildHash());
        Phase was = before == null || newBuild ? null : before.getPhase();
        if (Attempts.retryScheduled(after) && (before == null || !Attempts.retryScheduled(before))) {
            events.warning(resource, Reasons.EVENT_BUILD_RETRYING, readyMessage(after));
            return;
        }
        if (after.getPhase() == was) {
            return;
        }
        switch (after.getPhase()) {
            case Queued -> events.normal(resource, Reasons.EVENT_BUILD_QUEUED, readyMessage(after));
            case Pending, Building -> {
                if (was == null || was == Phase.Queued || was == Phase.Succeeded || was == Phase.Failed) {
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
