package dev.minimalimage.operator;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.operator.cluster.BranchFollower;
import dev.minimalimage.operator.cluster.BranchLookups;
import dev.minimalimage.operator.cluster.BuildSlots;
import dev.minimalimage.operator.cluster.NodeFit;
import dev.minimalimage.operator.cluster.Preflight;
import dev.minimalimage.operator.status.Attempts;
import dev.minimalimage.operator.status.BranchPoll;
import dev.minimalimage.operator.status.KubeletReasons;
import dev.minimalimage.operator.status.Observation;
import dev.minimalimage.operator.status.PollSchedule;
import dev.minimalimage.operator.status.PreflightProblem;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.InvalidSpecException;
import dev.minimalimage.planning.SmokeRuns;
import dev.minimalimage.result.OutputTail;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Gathers one reconcile's {@link Observation}: plans once, checks the pre-flight conditions at most once, polls a
 * followed branch when due, hands all that to the workflow ({@link WorkflowInput}) and runs it, then reads the pods
 * the workflow may just have created. Everything the decision needs, and the only reads it makes.
 */
final class Observer {

    private static final Logger LOG = Logger.getLogger(Observer.class);

    private final KubernetesClient client;
    private final BranchFollower follower = new BranchFollower();
    private final BranchLookups lookups;

    Observer(KubernetesClient client, BranchLookups lookups) {
        this.client = client;
        this.lookups = lookups;
    }

    Observation observe(MinimalImage resource, Context<MinimalImage> context, Instant now) {
        Planned first = Planned.of(resource);
        Supplier<Optional<PreflightProblem>> preflight = Observation.once(() -> first.plan()
                .flatMap(plan -> Preflight.check(client, resource, plan, OperatorSettings.caBundle())));
        Optional<BranchPoll> poll = pollIfDue(resource, first, preflight, now);
        // a look-up was due and its result is not in: no new build until it is (it may be at another head)
        boolean lookingUpHead = poll.isEmpty() && lookupDue(resource, first, now)
                && lookups.pending(ResourceID.fromResource(resource));
        Planned planned = atPolledCommit(resource, first, poll);
        Optional<BuildPlan> plan = planned.plan();
        MinimalImageStatus previous = resource.getStatus();
        int attempt = plan.map(p -> Attempts.current(previous, p.inputsHash(), now)).orElse(1);
        boolean podWanted = plan.filter(p -> Attempts.podWanted(previous, p, attempt, now)).isPresent();
        boolean starting = podWanted && plan.flatMap(p -> builderPod(context, p.podName(attempt))).isEmpty();
        Optional<PreflightProblem> problem = starting ? preflight.get() : Optional.empty();
        boolean headKnown = PollSchedule.interval(resource).isEmpty()
                || trackedCommit(previous, poll) != null && !lookingUpHead;
        SmokeRuns.Cluster smokeCluster = new SmokeRuns.Cluster(nodeFinder(resource),
                OperatorSettings.smokeTestListNodes(), OperatorSettings.smokeTestEmulatorImage().orElse(null));
        new WorkflowInput(plan, attempt, podWanted && headKnown, problem, now, smokeCluster).handTo(context);
        boolean sourceWasCached = plan.filter(p -> sourceCached(context, p)).isPresent();
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()
                .throwAggregateExceptionIfErrorsPresent();
        if (starting && !sourceWasCached && plan.filter(BuildPlan::isInline).filter(p -> sourceCached(context, p))
                .isPresent()) {
            // the workflow runs the source ConfigMap and the pod side by side, and the pod waits for the ConfigMap:
            // it has just been created, so the pod can go now rather than at the next look (its create sends us no
            // event); this saves a new inline build half a second and a Queued status it never needed
            context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()
                    .throwAggregateExceptionIfErrorsPresent();
        }

        String namespace = resource.getMetadata().getNamespace();
        Optional<Pod> pod = plan.flatMap(p -> builderPod(context, p.podName(attempt)));
        pod.ifPresent(p -> BuildSlots.INSTANCE.seen(namespace, p.getMetadata().getName()));
        Map<String, Pod> smokePods = plan.filter(BuildPlan::hasSmokeTest)
                .map(p -> currentSmokePods(Caches.ownSmokeTestPods(context), p)).orElse(Map.of());
        Map<String, Optional<String>> logs = new ConcurrentHashMap<>();
        return new Observation(resource, now, poll, plan, planned.invalid(), attempt, problem,
                plan.map(p -> BuildSlots.INSTANCE.reserved(namespace, p.podName(attempt))).orElse(false),
                OperatorSettings.maxConcurrentBuilds(), plan.filter(p -> sourceCached(context, p)).isPresent(),
                pod, smokePods, Observation.once(() -> pod.flatMap(this::lastMountFailure)),
                name -> logs.computeIfAbsent(name, n -> smokeTestLog(namespace, n)), smokeCluster,
                lookingUpHead);
    }

    /** The current inputs' smoke-test pods (one per platform that runs), by name, none being deleted. */
    private static Map<String, Pod> currentSmokePods(List<Pod> pods, BuildPlan plan) {
        return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getMetadata().getLabels() != null
                        && plan.inputsHash().equals(p.getMetadata().getLabels().get(BuilderLayout.LABEL_BUILD_HASH)))
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p, (a, b) -> a));
    }

    /**
     * Whether a node can take a smoke-test pod with a node selector: Ready, not cordoned, and every NoSchedule or
     * NoExecute taint tolerated by spec.build.tolerations. Each selector is asked at most once per reconcile, and only
     * for a platform whose placement the status does not record yet (it is decided once). An operator that may not
     * list nodes (minimal-image.smoke-test.list-nodes false: the chart's default with watchNamespaces set) sees
     * none, and runs foreign platforms under emulation or not at all. Any other API error fails the reconcile, which
     * is retried: a platform must not be reported NotRun because a list failed once.
     */
    private Predicate<Map<String, String>> nodeFinder(MinimalImage resource) {
        if (!OperatorSettings.smokeTestListNodes()) {
            return selector -> false;
        }
        List<Toleration> tolerations = resource.getSpec().getBuild() == null
                || resource.getSpec().getBuild().getTolerations() == null ? List.of()
                : resource.getSpec().getBuild().getTolerations();
        Map<Map<String, String>, Boolean> seen = new ConcurrentHashMap<>();
        return selector -> seen.computeIfAbsent(selector, s -> hasNodeFor(s, tolerations));
    }

    private boolean hasNodeFor(Map<String, String> selector, List<Toleration> tolerations) {
        try {
            return client.nodes().withLabels(selector).list().getItems().stream()
                    .anyMatch(node -> NodeFit.takes(node, tolerations));
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                LOG.warnf("may not list nodes: a foreign platform's smoke test runs under emulation or not at all"
                        + " (set smokeTest.listNodes in the chart, or minimal-image.smoke-test.list-nodes=false)");
                return false;
            }
            throw e;
        }
    }

    /** A plan, or why the spec cannot be planned. */
    private record Planned(Optional<BuildPlan> plan, String invalid) {
        static Planned of(MinimalImage resource) {
            try {
                return new Planned(Optional.of(Plans.plan(resource)), null);
            } catch (InvalidSpecException e) {
                return new Planned(Optional.empty(), e.getMessage());
            }
        }
    }

    /**
     * Looks up the followed branch's head when its interval has passed, but only once the pre-flight checks pass:
     * the git Secret's credentials go to no host its git-hosts annotation does not name.
     */
    private Optional<BranchPoll> pollIfDue(MinimalImage resource, Planned planned,
            Supplier<Optional<PreflightProblem>> preflight, Instant now) {
        if (!lookupDue(resource, planned, now)) {
            return Optional.empty();
        }
        Optional<PreflightProblem> problem = preflight.get();
        if (problem.isEmpty()) { // off this thread: the result comes with the reconcile the look-up's end brings
            return lookups.take(ResourceID.fromResource(resource), lookupRequest(resource),
                    () -> follower.lookUp(client, resource, now));
        }
        // A built branch whose Secret broke since: the look-up counts as one that failed (the result stays, a Warning
        // names the problem, the next look-up waits an interval). Before the first build there is no look-up: the
        // pre-flight's own reason is the status, and its Secret's fix brings the resource back at once.
        return trackedCommit(resource.getStatus(), Optional.empty()) == null ? Optional.empty()
                : Optional.of(new BranchPoll(null, problem.get().message(), now.toString()));
    }

    /** Whether the followed branch's head is due for a look-up (a plannable spec whose interval has passed). */
    private static boolean lookupDue(MinimalImage resource, Planned planned, Instant now) {
        Optional<Duration> interval = PollSchedule.interval(resource);
        return planned.plan().isPresent() && interval.isPresent()
                && !now.isBefore(PollSchedule.nextPoll(resource.getStatus(), interval.get()));
    }

    /** What a look-up reads: a result for another URL, branch, Secret or resource of that name is not this one's. */
    private static String lookupRequest(MinimalImage resource) {
        Source.Git git = resource.getSpec().getSource().getGit();
        return String.join("\n", resource.getMetadata().getUid(), git.getUrl(), git.getRevision(),
                String.valueOf(git.getCredentialsSecret()));
    }

    /**
     * The plan at the head the poll found, when that differs from the one on record (the commit is a build input).
     * The planner reads the tracked commit from the resource's status: it gets a copy of the resource whose status
     * holds only that commit (an input for the planner, not a status anyone writes).
     */
    private static Planned atPolledCommit(MinimalImage resource, Planned first, Optional<BranchPoll> poll) {
        String polled = poll.map(BranchPoll::commit).orElse(null);
        MinimalImageStatus previous = resource.getStatus();
        if (polled == null || previous != null && polled.equals(previous.getTrackedCommit())) {
            return first;
        }
        MinimalImageStatus head = new MinimalImageStatus();
        head.setTrackedCommit(polled);
        MinimalImage atHead = new MinimalImage();
        atHead.setMetadata(resource.getMetadata());
        atHead.setSpec(resource.getSpec());
        atHead.setStatus(head);
        return Planned.of(atHead);
    }

    private static String trackedCommit(MinimalImageStatus previous, Optional<BranchPoll> poll) {
        String polled = poll.map(BranchPoll::commit).orElse(null);
        return polled != null ? polled : previous == null ? null : previous.getTrackedCommit();
    }

    private static Optional<Pod> builderPod(Context<MinimalImage> context, String podName) {
        return named(Caches.ownBuilderPods(context), podName);
    }

    private static Optional<Pod> named(List<Pod> pods, String name) {
        return pods.stream().filter(p -> name.equals(p.getMetadata().getName()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst();
    }

    private static boolean sourceCached(Context<MinimalImage> context, BuildPlan plan) {
        return plan.isInline() && context.getSecondaryResources(ConfigMap.class).stream()
                .anyMatch(c -> plan.sourceConfigMapName().equals(c.getMetadata().getName()));
    }

    /** The kubelet reports a volume it cannot mount only as an event (FailedMount) on the pod. */
    private Optional<String> lastMountFailure(Pod pod) {
        return client.v1().events().inNamespace(pod.getMetadata().getNamespace())
                .withField("involvedObject.name", pod.getMetadata().getName()).list().getItems().stream()
                .filter(e -> KubeletReasons.FAILED_MOUNT.equals(e.getReason()))
                .filter(e -> pod.getMetadata().getUid() == null || e.getInvolvedObject() == null
                        || Objects.equals(pod.getMetadata().getUid(), e.getInvolvedObject().getUid()))
                .max(Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
                .map(Event::getMessage);
    }

    /** The smoke-test program's last lines: a run that ended well leaves its output only in the log. */
    private Optional<String> smokeTestLog(String namespace, String name) {
        try {
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name)
                    .inContainer(BuilderLayout.SMOKE_CONTAINER).tailingLines(OutputTail.LINES).getLog());
        } catch (KubernetesClientException e) {
            LOG.debugf("log of smoke-test pod %s not read: %s", name, e.getMessage());
            return Optional.empty();
        }
    }
}
