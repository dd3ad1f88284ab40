package dev.minimalimage.operator.status;

import static dev.minimalimage.operator.MinimalImageReconcilerTest.DIGEST;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.condition;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.ready;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.success;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.terminated;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.planning.InvalidSpecException;
import dev.minimalimage.planning.SmokeRuns;
import dev.minimalimage.planning.ToolchainImages;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

/**
 * The decision and the rendering as a table, at a fixed instant, without Quarkus or an API server: every build
 * state the README documents, each reason, retry, budget, supersession, smoke outcome and poll, and what the status
 * says for it. Each row: what the reconcile saw, the state decided, and the phase and Ready reason written.
 */
class BuildStateTableTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final long GENERATION = 2;
    static final Decision DECISION = new Decision(3, Duration.ofSeconds(10));

    /** One row: a name, the observation, the expected state, phase and Ready reason, and what else must hold. */
    record Row(String name, Observation seen, Class<? extends BuildState> state, Phase phase, String reason,
            Consumer<MinimalImageStatus> also) {
    }

    @TestFactory
    Stream<DynamicTest> everyStateAndItsStatus() throws Exception {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            BuildState state = DECISION.decide(row.seen());
            assertThat(state).as("state").isInstanceOf(row.state());
            if (state instanceof BuildState.AwaitingSource) {
                return; // nothing is rendered: the reconcile looks again shortly
            }
            MinimalImageStatus status = StatusRenderer.render(state, row.seen());
            assertThat(status.getPhase()).as("phase").isEqualTo(row.phase());
            assertThat(ready(status).getReason()).as("Ready reason").isEqualTo(row.reason());
            assertThat(ready(status).getStatus()).isEqualTo(row.phase() == Phase.Succeeded ? "True" : "False");
            assertThat(status.getObservedGeneration()).isEqualTo(GENERATION);
            assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration())
                    .isEqualTo(GENERATION));
            assertKstatusHealth(status);
            row.also().accept(status);
        }));
    }

    List<Row> rows() throws Exception {
        Fixture c = new Fixture(inline());
        Fixture smoke = new Fixture(withSmokeTest(inline()));
        Fixture git = new Fixture(followed(null));
        Fixture built = new Fixture(followed("c0ffee"));
        String pod1 = c.plan.podName(1);
        Fixture gitDockerfile = new Fixture(gitDockerfile());
        String fetchPod = gitDockerfile.plan.podName(1);
        String text = "FROM scratch\nCOPY app /app\n";
        MinimalImageStatus withDockerfile = new MinimalImageStatus();
        withDockerfile.setDockerfile(new MinimalImageStatus.ResolvedDockerfile("k", "c0ffee", text));
        return List.of(
                new Row("a git Dockerfile's first pod read it: it goes on record and the build is planned next",
                        gitDockerfile.seen(null).pod(fetchOnlyPod(fetchPod, "{\"commit\":\"c0ffee\",\"dockerfile\":\""
                                + dev.minimalimage.result.FetchedDockerfile.encode(text) + "\"}")).build(),
                        BuildState.DockerfileFetched.class, Phase.Pending, Reasons.DOCKERFILE_FETCHED, s -> {
                            assertThat(s.getDockerfile().getText()).isEqualTo(text);
                            assertThat(s.getDockerfile().getCommit()).isEqualTo("c0ffee");
                            assertThat(s.getDockerfile().getSource()).isEqualTo(gitDockerfile.plan.inputsHash());
                            assertThat(s.getSourceCommit()).isEqualTo("c0ffee");
                        }),
                new Row("a git Dockerfile's first pod that reported no Dockerfile fails unreadable",
                        gitDockerfile.seen(null).pod(fetchOnlyPod(fetchPod, "{\"commit\":\"c0ffee\"}")).build(),
                        BuildState.Failed.class, Phase.Failed, Reasons.RESULT_UNREADABLE,
                        s -> assertThat(s.getDockerfile()).isNull()),
                new Row("a Dockerfile on record stays in every later status", c.seen(withDockerfile).build(),
                        BuildState.Starting.class, Phase.Pending, Reasons.PENDING,
                        s -> assertThat(s.getDockerfile().getText()).isEqualTo(text)),
                new Row("an invalid spec is refused without a pod", c.invalid("spec.image.name: required"),
                        BuildState.Invalid.class, Phase.Failed, Reasons.INVALID_SPEC,
                        s -> assertThat(ready(s).getMessage()).isEqualTo("spec.image.name: required")),
                new Row("a pre-flight problem refuses the build before any pod",
                        c.seen(null).problem(Reasons.PUSH_SECRET_INVALID, "no Secret push").build(),
                        BuildState.Refused.class, Phase.Failed, Reasons.PUSH_SECRET_INVALID,
                        s -> assertThat(s.getBuildHash()).as("no build of these inputs on record").isNull()),
                new Row("a followed branch whose head was never looked up is not built at a guess",
                        git.seen(null).poll(null, "connection refused").build(), BuildState.Refused.class,
                        Phase.Failed, Reasons.SOURCE_POLL_FAILED,
                        s -> assertThat(ready(s).getMessage()).isEqualTo("connection refused")),
                new Row("a followed branch waits silently for the first look-up of its head, which runs elsewhere",
                        git.seen(null).lookingUpHead().build(), BuildState.AwaitingSource.class, null, null, s -> { }),
                new Row("a new inline pod waits silently for its ConfigMap",
                        c.seen(null).slotHeld(false).sourceCached(false).build(), BuildState.AwaitingSource.class,
                        null, null, s -> { }),
                new Row("no free build slot: queued", c.seen(null).slotHeld(false).build(), BuildState.Queued.class,
                        Phase.Queued, Reasons.QUEUED, s -> {
                            assertThat(ready(s).getMessage()).contains("one of the operator's 4 build slots");
                            assertThat(condition(s, "Compiled").getStatus()).isEqualTo("Unknown");
                        }),
                new Row("a slot held and no pod yet: starting", c.seen(null).build(), BuildState.Starting.class,
                        Phase.Pending, Reasons.PENDING, s -> {
                            assertThat(ready(s).getMessage()).isEqualTo("creating builder pod " + pod1);
                            assertThat(s.getBuilderPod()).isEqualTo(pod1);
                            assertThat(s.getAttempts()).isEqualTo(1);
                        }),
                new Row("a retry whose back-off passed starts the next attempt's pod",
                        c.seen(c.retryScheduled(1, NOW.minusSeconds(1))).build(), BuildState.Starting.class,
                        Phase.Pending, Reasons.PENDING, s -> {
                            assertThat(ready(s).getMessage()).endsWith(c.plan.podName(2) + " (attempt 2)");
                            assertThat(s.getAttempts()).isEqualTo(2);
                            assertThat(s.getNextAttemptTime()).isNull();
                        }),
                new Row("a retry waiting out its back-off leaves the status as it is",
                        c.seen(c.retryScheduled(1, NOW.plusSeconds(5))).pod(evictedPod(pod1)).build(),
                        BuildState.Standing.class, Phase.Pending, Reasons.RETRYING,
                        s -> assertThat(s.getNextAttemptTime()).isEqualTo(NOW.plusSeconds(5).toString())),
                new Row("a compile step at work: building", c.seen(null).pod(pod(pod1, building())).build(),
                        BuildState.Building.class, Phase.Building, Reasons.BUILDING, s -> {
                            assertThat(condition(s, "SourceFetched").getReason()).isEqualTo(Reasons.INLINE_SOURCE);
                            assertThat(s.getStartTime()).isEqualTo(NOW.minusSeconds(30).toString());
                        }),
                new Row("a toolchain pull failing within spec.build.pullTimeout keeps building",
                        c.seen(null).pod(pod(pod1, pullBackOff())).build(), BuildState.Building.class,
                        Phase.Building, Reasons.IMAGE_PULL_BACK_OFF,
                        s -> assertThat(s.getPullFailingSince()).isEqualTo(NOW.toString())),
                new Row("a toolchain pull failing longer than spec.build.pullTimeout fails the build",
                        c.seen(c.building(1, NOW.minusSeconds(301).toString())).pod(pod(pod1, pullBackOff()))
                                .build(), BuildState.Failed.class, Phase.Failed, Reasons.TOOLCHAIN_IMAGE_PULL_FAILED,
                        s -> assertThat(s.getCompletionTime()).isEqualTo(NOW.toString())),
                new Row("a pod no node takes fails after spec.build.startTimeout, quoting the scheduler",
                        c.seen(null).pod(pod(pod1, unschedulable(), NOW.minusSeconds(601))).build(),
                        BuildState.Failed.class, Phase.Failed, Reasons.UNSCHEDULABLE,
                        s -> assertThat(ready(s).getMessage()).contains("Insufficient cpu")),
                new Row("a pod that cannot mount its volumes fails quoting the kubelet's FailedMount",
                        c.seen(null).pod(pod(pod1, pending(), NOW.minusSeconds(601)))
                                .mountFailure("secret \"gone\" not found").build(),
                        BuildState.Failed.class, Phase.Failed, Reasons.VOLUME_MOUNT_FAILED,
                        s -> assertThat(ready(s).getMessage()).contains("secret \"gone\" not found")),
                new Row("a pod that did not start for another reason points to kubectl describe",
                        c.seen(null).pod(pod(pod1, pending(), NOW.minusSeconds(601))).build(),
                        BuildState.Failed.class, Phase.Failed, Reasons.POD_NOT_STARTED,
                        s -> assertThat(ready(s).getMessage()).contains("kubectl describe pod -n ns " + pod1)),
                new Row("a compile error fails with the compiler's words",
                        c.seen(null).pod(pod(pod1, failedStep("compile", 1, "main.c:1: error: expected ';'"))).build(),
                        BuildState.Failed.class, Phase.Failed, CompileExitCodes.reasonOf(1).name(), s -> {
                            assertThat(ready(s).getMessage()).contains("error: expected ';'");
                            assertThat(condition(s, "Compiled").getStatus()).isEqualTo("False");
                        }),
                new Row("a build past its activeDeadlineSeconds: Timeout",
                        c.seen(null).pod(pod(pod1, stopped("DeadlineExceeded"))).build(), BuildState.Failed.class,
                        Phase.Failed, Reasons.TIMEOUT, s -> { }),
                new Row("a step killed for its memory limit: OutOfMemory",
                        c.seen(null).pod(pod(pod1, oomKilled())).build(), BuildState.Failed.class, Phase.Failed,
                        Reasons.OUT_OF_MEMORY, s -> { }),
                new Row("an eviction with attempts left schedules a retry after the back-off",
                        c.seen(c.building(1, null)).pod(evictedPod(pod1)).build(), BuildState.RetryScheduled.class,
                        Phase.Pending, Reasons.RETRYING, s -> {
                            assertThat(s.getNextAttemptTime()).isEqualTo(NOW.plusSeconds(10).toString());
                            assertThat(ready(s).getMessage()).startsWith("retrying in 10s after Evicted (attempt 1 of 3)");
                        }),
                new Row("an eviction of the last attempt is final",
                        c.seen(c.building(3, null)).pod(evictedPod(c.plan.podName(3))).build(),
                        BuildState.Failed.class, Phase.Failed, Reasons.EVICTED,
                        s -> assertThat(ready(s).getMessage()).endsWith("(attempt 3 of 3, none left)")),
                new Row("a builder pod that vanished is retried on a new pod",
                        c.seen(c.building(1, null)).build(), BuildState.RetryScheduled.class, Phase.Pending,
                        Reasons.RETRYING, s -> {
                            assertThat(ready(s).getMessage()).contains(Reasons.BUILDER_POD_LOST, "disappeared");
                            assertThat(s.getBuilderPodUid()).isEqualTo("uid-1");
                        }),
                new Row("a package step that wrote no result record is retried",
                        c.seen(null).pod(pod(pod1, finished(terminated("package", 0, "not json")))).build(),
                        BuildState.RetryScheduled.class, Phase.Pending, Reasons.RETRYING,
                        s -> assertThat(ready(s).getMessage()).contains(Reasons.RESULT_UNREADABLE)),
                new Row("a pushed image: succeeded, with its digest and link verdict",
                        c.seen(c.building(1, null)).pod(pod(pod1, pushed())).build(), BuildState.Succeeded.class,
                        Phase.Succeeded, Reasons.BUILT, s -> {
                            assertThat(s.getDigest()).isEqualTo(DIGEST);
                            assertThat(s.getShortDigest()).isEqualTo(DIGEST.substring(7, 19));
                            assertThat(condition(s, "LinkVerified").getReason()).isEqualTo("Static");
                            assertThat(s.getCompletionTime()).isEqualTo("2026-11-23T10:00:00Z");
                        }),
                new Row("a success whose pod was pruned still stands", c.seen(c.succeeded()).build(),
                        BuildState.Standing.class, Phase.Succeeded, Reasons.BUILT,
                        s -> assertThat(s.getDigest()).isEqualTo(DIGEST)),
                new Row("new inputs supersede a result: it is never reported for them",
                        c.seen(c.succeededOther()).build(), BuildState.Starting.class, Phase.Pending, Reasons.PENDING,
                        s -> {
                            assertThat(s.getDigest()).isNull();
                            assertThat(s.getBuildHash()).isEqualTo(c.plan.inputsHash());
                        }),
                new Row("a pushed image under smoke test is still building",
                        smoke.seen(null).pod(pod(smoke.plan.podName(1), pushed()))
                                .smokePod(smokePod(smoke.plan.smokePodName(), runningSmoke())).build(),
                        BuildState.SmokeTesting.class, Phase.Building, Reasons.SMOKE_TESTING, s -> {
                            assertThat(condition(s, "SmokeTested").getStatus()).isEqualTo("Unknown");
                            assertThat(s.getDigest()).isEqualTo(DIGEST);
                            assertThat(s.getSmokeTest().getPod()).isEqualTo(smoke.plan.smokePodName());
                        }),
                new Row("a smoke test that passed makes the image Ready",
                        smoke.seen(null).pod(pod(smoke.plan.podName(1), pushed()))
                                .smokePod(smokePod(smoke.plan.smokePodName(), exitedSmoke(0))).build(),
                        BuildState.Succeeded.class, Phase.Succeeded, Reasons.BUILT, s -> {
                            assertThat(condition(s, "SmokeTested").getReason()).isEqualTo(Reasons.SMOKE_TEST_PASSED);
                            assertThat(s.getSmokeTest().getExitCode()).isZero();
                        }),
                new Row("a smoke test that failed fails the build and keeps the pushed digest",
                        smoke.seen(null).pod(pod(smoke.plan.podName(1), pushed()))
                                .smokePod(smokePod(smoke.plan.smokePodName(), exitedSmoke(3))).build(),
                        BuildState.Failed.class, Phase.Failed, Reasons.SMOKE_TEST_FAILED, s -> {
                            assertThat(condition(s, "SmokeTested").getStatus()).isEqualTo("False");
                            assertThat(s.getDigest()).isEqualTo(DIGEST);
                            assertThat(ready(s).getMessage()).contains("but the smoke test failed");
                        }),
                new Row("a smoke verdict on record stands once its pod is gone",
                        smoke.seen(smoke.smokeDecided()).pod(pod(smoke.plan.podName(1), pushed())).build(),
                        BuildState.Standing.class, Phase.Failed, Reasons.SMOKE_TEST_FAILED, s -> { }),
                new Row("a poll that found the head records it with the poll's time",
                        git.seenAtHead("c0ffee").poll("c0ffee", null).build(), BuildState.Starting.class,
                        Phase.Pending, Reasons.PENDING, s -> {
                            assertThat(s.getTrackedCommit()).isEqualTo("c0ffee");
                            assertThat(s.getLastPollTime()).isEqualTo(NOW.toString());
                        }),
                new Row("a built branch whose Secret broke since: the look-up failed, the result stays, the next"
                        + " look-up waits an interval", built.seen(built.withPoll(built.succeeded(), "c0ffee"))
                                .poll(null, "Secret git may not be sent to git.example.com").build(),
                        BuildState.Standing.class, Phase.Succeeded, Reasons.BUILT, s -> {
                            assertThat(s.getTrackedCommit()).isEqualTo("c0ffee");
                            assertThat(s.getLastPollTime()).isEqualTo(NOW.toString());
                        }),
                new Row("a resource that stopped following a branch forgets its head",
                        c.seen(c.withPoll(c.succeeded(), "c0ffee")).build(), BuildState.Standing.class,
                        Phase.Succeeded, Reasons.BUILT, s -> {
                            assertThat(s.getTrackedCommit()).isNull();
                            assertThat(s.getLastPollTime()).isNull();
                        }));
    }

    /**
     * kstatus (Flux's health): Reconciling True while the build is on its way, Stalled True on a terminal failure,
     * neither once Ready is True; each says what Ready says.
     */
    static void assertKstatusHealth(MinimalImageStatus status) {
        List<String> types = status.getConditions().stream().map(c -> c.getType()).toList();
        switch (status.getPhase()) {
            case Succeeded -> assertThat(types).doesNotContain("Reconciling", "Stalled");
            case Failed -> {
                assertThat(types).contains("Stalled").doesNotContain("Reconciling");
                assertThat(condition(status, "Stalled").getStatus()).isEqualTo("True");
                assertThat(condition(status, "Stalled").getReason()).isEqualTo(ready(status).getReason());
            }
            default -> {
                assertThat(types).contains("Reconciling").doesNotContain("Stalled");
                assertThat(condition(status, "Reconciling").getStatus()).isEqualTo("True");
                assertThat(condition(status, "Reconciling").getMessage()).isEqualTo(ready(status).getMessage());
            }
        }
    }

    @Test
    void anInlineBuildWaitsForItsConfigMapThenQueuesAndLooksAgainShortly() throws Exception {
        Fixture c = new Fixture(inline());
        Observation awaiting = c.seen(null).slotHeld(false).sourceCached(false).build();
        assertThat(DECISION.decide(awaiting)).as("its ConfigMap not in the cache yet")
                .isInstanceOf(BuildState.AwaitingSource.class);
        Observation queued = c.seen(null).slotHeld(false).build();
        MinimalImageStatus status = StatusRenderer.render(DECISION.decide(queued), queued);
        assertThat(status.getPhase()).isEqualTo(Phase.Queued);
        assertThat(Timers.next(queued, status)).as("Observation.inlineWithoutSlot says why").contains(Timers.SOURCE_RECHECK);
    }

    @Test
    void aFollowedBranchRefusedByItsPreflightIsNotLookedAtEverySecond() throws Exception {
        Fixture git = new Fixture(followed(null));
        Observation refused = git.seen(null).problem("GitSecretNotAllowed", "Secret git may not be sent to x").build();
        MinimalImageStatus status = StatusRenderer.render(DECISION.decide(refused), refused);
        assertThat(ready(status).getReason()).isEqualTo("GitSecretNotAllowed");
        assertThat(Timers.next(refused, status)).as("the pre-flight's recheck, or the Secret's event")
                .contains(Duration.ofSeconds(61));
    }

    @Test
    void aHeadLookUpThatIsRunningIsAwaitedNotStartedAgainByATimer() throws Exception {
        Fixture built = new Fixture(followed("c0ffee"));
        MinimalImageStatus overdue = built.resource.getStatus();
        overdue.setLastPollTime(NOW.minus(Duration.ofHours(1)).toString());
        Observation idle = built.seen(overdue).build();
        assertThat(Timers.next(idle, overdue)).as("an overdue poll is due at once (the shortest timer)")
                .contains(Duration.ofSeconds(1));
        Observation lookingUp = built.seen(overdue).lookingUpHead().build();
        assertThat(DECISION.decide(lookingUp)).as("a new build waits for the head being looked up")
                .isInstanceOf(BuildState.AwaitingSource.class);
        assertThat(DECISION.decide(idle)).as("without a look-up running it starts").isInstanceOf(BuildState.Starting.class);
        assertThat(Timers.next(lookingUp, overdue)).as("the look-up's end brings it back; this only covers a lost end")
                .contains(Timers.LOOKUP_RECHECK.plusSeconds(1)); // a second past it, as every timer (61 s above)
    }

    @Test
    void aConditionKeepsItsTransitionTimeUntilItsStatusFlips() throws Exception {
        Fixture c = new Fixture(inline());
        String pod1 = c.plan.podName(1);
        Observation first = c.seen(null).pod(pod(pod1, building())).build();
        MinimalImageStatus building = StatusRenderer.render(DECISION.decide(first), first);
        Instant later = NOW.plusSeconds(90);
        c.resource.setStatus(building);
        Observation second = c.seenAt(later, building).pod(pod(pod1, pushed())).build();
        MinimalImageStatus done = StatusRenderer.render(DECISION.decide(second), second);
        assertThat(condition(done, "SourceFetched").getLastTransitionTime()).as("True before and after")
                .isEqualTo(NOW.toString());
        assertThat(ready(done).getLastTransitionTime()).as("False -> True").isEqualTo(later.toString());
        assertThat(condition(done, "Compiled").getLastTransitionTime()).as("Unknown -> True")
                .isEqualTo(later.toString());
        Observation again = c.seenAt(later.plusSeconds(60), done).pod(pod(pod1, pushed())).build();
        assertThat(StatusRenderer.render(DECISION.decide(again), again)).as("same state, same status")
                .usingRecursiveComparison().isEqualTo(done);
    }

    // ---- the world a reconcile sees

    static MinimalImage inline() {
        MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
        resource.getMetadata().setNamespace("ns");
        resource.getMetadata().setGeneration(GENERATION);
        return resource;
    }

    static MinimalImage gitDockerfile() {
        MinimalImage resource = followed(null);
        resource.getSpec().getSource().getGit().setPollInterval(null);
        resource.getSpec().setLanguage(null);
        resource.getSpec().setDockerfile(new dev.minimalimage.api.v1alpha1.Dockerfile());
        return resource;
    }

    static MinimalImage withSmokeTest(MinimalImage resource) {
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        return resource;
    }

    static MinimalImage followed(String head) {
        MinimalImage resource = inline();
        Source.Git gitSource = new Source.Git();
        gitSource.setUrl("https://git.example/app.git");
        gitSource.setRevision("main");
        gitSource.setPollInterval("5m");
        Source source = new Source();
        source.setGit(gitSource);
        resource.getSpec().setSource(source);
        if (head != null) {
            MinimalImageStatus status = new MinimalImageStatus();
            status.setTrackedCommit(head);
            resource.setStatus(status);
        }
        return resource;
    }

    /** One resource and its plan, and observations of it. */
    static final class Fixture {
        final MinimalImage resource;
        final BuildPlan plan;

        Fixture(MinimalImage resource) throws InvalidSpecException {
            this.resource = resource;
            this.plan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
        }

        Seen seen(MinimalImageStatus previous) {
            return seenAt(NOW, previous);
        }

        Seen seenAt(Instant now, MinimalImageStatus previous) {
            MinimalImage copy = new MinimalImage();
            copy.setMetadata(resource.getMetadata());
            copy.setSpec(resource.getSpec());
            copy.setStatus(previous);
            return new Seen(copy, Optional.of(plan), now);
        }

        /** A followed branch whose head this reconcile's poll found: planned at that commit. */
        Seen seenAtHead(String head) throws InvalidSpecException {
            MinimalImage atHead = followed(head);
            BuildPlan headPlan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(atHead);
            MinimalImage observed = followed(null);
            return new Seen(observed, Optional.of(headPlan), NOW);
        }

        Observation invalid(String message) {
            return new Observation(resource, NOW, Optional.empty(), Optional.empty(), message, 1, Optional.empty(),
                    false, 4, false, Optional.empty(), Optional.empty(), Optional::empty, Optional::empty);
        }

        /** The status a reconcile wrote while attempt {@code attempt}'s pod was building. */
        MinimalImageStatus building(int attempt, String pullFailingSince) {
            MinimalImageStatus status = new MinimalImageStatus();
            status.setPhase(Phase.Building);
            status.setBuildHash(plan.inputsHash());
            status.setAttempts(attempt);
            status.setBuilderPod(plan.podName(attempt));
            status.setBuilderPodUid("uid-" + attempt);
            status.setPullFailingSince(pullFailingSince);
            status.setObservedGeneration(GENERATION);
            return status;
        }

        MinimalImageStatus retryScheduled(int attempt, Instant next) {
            MinimalImageStatus status = building(attempt, null);
            status.setPhase(Phase.Pending);
            status.setNextAttemptTime(next.toString());
            status.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Ready")
                    .withStatus("False").withReason(Reasons.RETRYING).withLastTransitionTime(NOW.toString())
                    .build()));
            return status;
        }

        MinimalImageStatus succeeded() {
            Observation seen = seen(building(1, null)).pod(pod(plan.podName(1), pushed())).build();
            return StatusRenderer.render(DECISION.decide(seen), seen);
        }

        MinimalImageStatus succeededOther() {
            MinimalImageStatus status = succeeded();
            status.setBuildHash("0123456789");
            return status;
        }

        MinimalImageStatus smokeDecided() {
            Observation seen = seen(building(1, null)).pod(pod(plan.podName(1), pushed()))
                    .smokePod(smokePod(plan.smokePodName(), exitedSmoke(3))).build();
            return StatusRenderer.render(DECISION.decide(seen), seen);
        }

        MinimalImageStatus withPoll(MinimalImageStatus status, String head) {
            status.setTrackedCommit(head);
            status.setLastPollTime(NOW.minusSeconds(60).toString());
            return status;
        }
    }

    /** An observation under construction: a free slot, the source cached, no pods, no problem, no poll. */
    static final class Seen {
        private final MinimalImage resource;
        private final Optional<BuildPlan> plan;
        private final Instant now;
        private Optional<BranchPoll> poll = Optional.empty();
        private Optional<PreflightProblem> problem = Optional.empty();
        private boolean slotHeld = true;
        private boolean sourceCached = true;
        private Optional<Pod> pod = Optional.empty();
        private Optional<Pod> smokePod = Optional.empty();
        private Optional<String> mountFailure = Optional.empty();
        private boolean lookingUpHead;

        Seen(MinimalImage resource, Optional<BuildPlan> plan, Instant now) {
            this.resource = resource;
            this.plan = plan;
            this.now = now;
        }

        Seen poll(String commit, String failure) {
            poll = Optional.of(new BranchPoll(commit, failure, now.toString()));
            return this;
        }

        /** A look-up of the followed branch's head has started and its result is not in yet. */
        Seen lookingUpHead() {
            lookingUpHead = true;
            return this;
        }

        Seen problem(String reason, String message) {
            problem = Optional.of(new PreflightProblem(reason, message));
            return this;
        }

        Seen slotHeld(boolean held) {
            slotHeld = held;
            return this;
        }

        Seen sourceCached(boolean cached) {
            sourceCached = cached;
            return this;
        }

        Seen pod(Pod builder) {
            pod = Optional.of(builder);
            return this;
        }

        Seen smokePod(Pod smoke) {
            smokePod = Optional.of(smoke);
            return this;
        }

        Seen mountFailure(String message) {
            mountFailure = Optional.of(message);
            return this;
        }

        Observation build() {
            int attempt = Attempts.current(resource.getStatus(), plan.orElseThrow().inputsHash(), now);
            Optional<String> mount = mountFailure;
            return new Observation(resource, now, poll, plan, null, attempt, problem, slotHeld, 4, sourceCached, pod,
                    smokePod.map(p -> Map.of(p.getMetadata().getName(), p)).orElse(Map.of()), () -> mount,
                    name -> Optional.empty(), SmokeRuns.Cluster.plain(), lookingUpHead);
        }
    }

    // ---- pods as the kubelet reports them

    static Pod pod(String name, PodStatus status) {
        return pod(name, status, NOW.minusSeconds(30));
    }

    static Pod pod(String name, PodStatus status, Instant created) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-1")
                .withCreationTimestamp(created.toString()).endMetadata()
                .withNewSpec().withActiveDeadlineSeconds(900L).endSpec().withStatus(status).build();
    }

    /** The resolve step of a git Dockerfile build: its fetch alone, finished, with its termination message. */
    static Pod fetchOnlyPod(String name, String message) {
        Pod pod = pod(name, new PodStatusBuilder().withPhase("Succeeded")
                .withContainerStatuses(terminated("fetch", 0, message)).build());
        pod.getSpec().setContainers(List.of(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("fetch")
                .build()));
        return pod;
    }

    static Pod evictedPod(String name) {
        return pod(name, new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build());
    }

    static PodStatus pending() {
        return new PodStatusBuilder().withPhase("Pending").build();
    }

    static PodStatus unschedulable() {
        return new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled")
                .withStatus("False").withReason("Unschedulable").withMessage("0/1 nodes are available: 1 Insufficient cpu.")
                .endCondition().build();
    }

    static PodStatus building() {
        return new PodStatusBuilder().withPhase("Pending").withInitContainerStatuses(new ContainerStatusBuilder()
                .withName("compile").withNewState().withNewRunning().withStartedAt(NOW.minusSeconds(20).toString())
                .endRunning().endState().build()).withContainerStatuses(waiting("package", "PodInitializing")).build();
    }

    static PodStatus pullBackOff() {
        return new PodStatusBuilder().withPhase("Pending").withInitContainerStatuses(new ContainerStatusBuilder()
                .withName("compile").withImage("docker.io/library/gcc:14.2").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("429 Too Many Requests").endWaiting().endState().build())
                .build();
    }

    static PodStatus failedStep(String step, int exitCode, String message) {
        return new PodStatusBuilder().withPhase("Failed").withInitContainerStatuses(terminated(step, exitCode, message))
                .build();
    }

    static PodStatus stopped(String reason) {
        return new PodStatusBuilder().withPhase("Failed").withReason(reason).withInitContainerStatuses(
                new ContainerStatusBuilder().withName("compile").withNewState().withNewRunning().endRunning()
                        .endState().build()).build();
    }

    static PodStatus oomKilled() {
        return new PodStatusBuilder().withPhase("Failed").withInitContainerStatuses(new ContainerStatusBuilder()
                .withName("compile").withNewState().withNewTerminated().withExitCode(137).withReason("OOMKilled")
                .endTerminated().endState().build()).build();
    }

    static PodStatus finished(ContainerStatus packageStep) {
        return new PodStatusBuilder().withPhase("Succeeded").withInitContainerStatuses(terminated("compile", 0, null))
                .withContainerStatuses(packageStep).build();
    }

    static PodStatus pushed() {
        return finished(terminated("package", 0, success().toJson()));
    }

    static Pod smokePod(String name, PodStatus status) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .withCreationTimestamp(NOW.minusSeconds(10).toString()).endMetadata().withStatus(status).build();
    }

    static PodStatus runningSmoke() {
        return new PodStatusBuilder().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
                .withName("smoke").withNewState().withNewRunning().withStartedAt(NOW.minusSeconds(5).toString())
                .endRunning().endState().build()).build();
    }

    static PodStatus exitedSmoke(int exitCode) {
        return new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed").withContainerStatuses(
                terminated("smoke", exitCode, "hello")).build();
    }

}
