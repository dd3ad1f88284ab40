package dev.minimalimage.operator;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.operator.cluster.BranchLookups;
import dev.minimalimage.operator.cluster.BuildEvents;
import dev.minimalimage.operator.cluster.BuildMetrics;
import dev.minimalimage.operator.cluster.BuildSlots;
import dev.minimalimage.operator.cluster.PodRetention;
import dev.minimalimage.operator.cluster.StatusWrite;
import dev.minimalimage.operator.status.ApiFailures;
import dev.minimalimage.operator.status.Attempts;
import dev.minimalimage.operator.status.BranchPoll;
import dev.minimalimage.operator.status.BuildState;
import dev.minimalimage.operator.status.Conditions;
import dev.minimalimage.operator.status.Decision;
import dev.minimalimage.operator.status.Observation;
import dev.minimalimage.operator.status.Reasons;
import dev.minimalimage.operator.status.StatusRenderer;
import dev.minimalimage.operator.status.Timers;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * MinimalImage -> builder pod -> status (-> smoke-test pod -> status). Each reconcile gathers one
 * {@link Observation} (running the workflow of dependents on the way: source ConfigMap, builder pod, and with
 * spec.verify.smokeTest its NetworkPolicy and the smoke-test pod), decides one {@link BuildState}, renders the whole
 * status from it ({@link StatusRenderer}), writes it only if it changed ({@link StatusWrite}), and only then deletes
 * pods it no longer needs. Pod events wake it up; timers only cover deadlines that pass in silence ({@link Timers}).
 */
@ControllerConfiguration(name = MinimalImageReconciler.NAME, informer = @Informer(itemStore = LeanItemStore.class))
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "inline-source", type = InlineSourceConfigMap.class,
                reconcilePrecondition = InlineSourceCondition.class),
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
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MinimalImageReconciler.class);

    @Inject
    KubernetesClient client;
    @Inject
    BuildEvents events;
    @Inject
    BuildMetrics metrics;
    /** The one clock every reconcile reads its {@code now} from (a bean, so a test may fix it). */
    @Inject
    Clock clock = Clock.systemUTC();

    private final Decision decision = new Decision(OperatorSettings.maxBuildAttempts(), OperatorSettings.retryBackoff());
    private Observer observer;
    /** Wakes queued resources when a build slot frees (their own informers have nothing to say then). */
    private final SimpleInboundEventSource<MinimalImage> slotFreed = new SimpleInboundEventSource<>("slot-freed");
    /** Brings a resource back when the look-up of its followed branch's head has ended. */
    private final SimpleInboundEventSource<MinimalImage> headLookedUp = new SimpleInboundEventSource<>("head-looked-up");
    private final BranchLookups lookups = new BranchLookups(headLookedUp::propagateEvent);

    @Override
    public List<EventSource<?, MinimalImage>> prepareEventSources(EventSourceContext<MinimalImage> context) {
        return List.of(slotFreed, headLookedUp, NamedSecrets.eventSource(context));
    }

    @Override
    public UpdateControl<MinimalImage> reconcile(MinimalImage resource, Context<MinimalImage> context) {
        Observation seen = observer().observe(resource, context, clock.instant());
        BuildState state = decision.decide(seen);
        if (state instanceof BuildState.AwaitingSource awaiting) {
            return UpdateControl.<MinimalImage>noUpdate().rescheduleAfter(awaiting.recheck());
        }
        MinimalImageStatus after = StatusRenderer.render(state, seen);
        writeIfChanged(resource, context, seen, after);
        seen.plan().ifPresent(plan -> cleanUp(resource, plan, after, context));
        if (endedBuild(resource.getStatus(), after)) {
            wakeQueued(context, seen.now());
        }
        return Timers.next(seen, after).map(wait -> UpdateControl.<MinimalImage>noUpdate().rescheduleAfter(wait))
                .orElse(UpdateControl.noUpdate());
    }

    private Observer observer() {
        if (observer == null) {
            observer = new Observer(client, lookups);
        }
        return observer;
    }

    private void writeIfChanged(MinimalImage resource, Context<MinimalImage> context, Observation seen,
            MinimalImageStatus after) {
        MinimalImageStatus before = resource.getStatus();
        if (sameJson(before, after)) {
            return;
        }
        announce(resource, before, after);
        seen.poll().map(BranchPoll::failure).filter(failure -> after.getTrackedCommit() != null)
                .ifPresent(failure -> events.warning(resource, Reasons.SOURCE_POLL_FAILED, failure));
        StatusWrite.replace(resource, context, after);
    }

    /** This resource's build stopped taking a slot: let the oldest queued ones try (they wait on no informer). */
    private void wakeQueued(Context<MinimalImage> context, Instant now) {
        BuildSlots.INSTANCE.nextInLine(Caches.builderPods(context), Caches.resources(context),
                OperatorSettings.maxConcurrentBuilds(), now).forEach(slotFreed::propagateEvent);
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
                StatusWrite.replace(resource, context, status);
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
        MinimalImageStatus after = StatusRenderer.render(new BuildState.Refused(failure.reason(), failure.message()),
                Observation.ofFailure(resource, clock.instant()));
        return sameJson(before, after) ? Optional.empty() : Optional.of(after);
    }

    /** Pull failures never heal inside one pod's lifetime worth waiting for; free the node and keep the verdict. */
    private void cleanUp(MinimalImage resource, BuildPlan plan, MinimalImageStatus after, Context<MinimalImage> context) {
        List<Pod> owned = Caches.ownBuilderPods(context);
        // a pull that failed, or a pod that never started, would only hold the node's (or quota's) room
        boolean pullFailed = after.getPhase() == Phase.Failed && Reasons.podHeldInVain(readyReason(after));
        String current = after.getBuilderPod() == null ? plan.podName() : after.getBuilderPod();
        owned.stream().filter(p -> pullFailed && p.getMetadata().getName().equals(current))
                .forEach(p -> client.pods().inNamespace(p.getMetadata().getNamespace())
                        .withName(p.getMetadata().getName()).delete());
        int keep = resource.getSpec().getBuild() == null ? 2 : resource.getSpec().getBuild().getKeepFinishedPods();
        PodRetention.stopAfterFailedStep(client, owned);
        PodRetention.prune(client, resource, current, keep, owned);
        PodRetention.pruneSmokeTests(client, plan, after.getPhase(), Caches.ownSmokeTestPods(context));
        // source ConfigMaps of ended builds and earlier inputs: their pods have the files mounted already or are gone
        boolean sourceWanted = InlineSourceCondition.wanted(plan, after);
        context.getSecondaryResources(ConfigMap.class).stream()
                .filter(c -> !(sourceWanted && plan.sourceConfigMapName().equals(c.getMetadata().getName())))
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
