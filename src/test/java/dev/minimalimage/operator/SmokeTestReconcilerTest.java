package dev.minimalimage.operator;

import static dev.minimalimage.operator.MinimalImageReconcilerTest.DIGEST;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.condition;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.keepFinishedPods;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.ready;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.success;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.terminated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.TargetPlatform;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * spec.verify.smokeTest against the Fabric8 mock API server: the test plays the kubelet for the builder pod (a
 * recorded push) and then for the smoke-test pod it makes the operator create.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SmokeTestReconcilerTest {

    /** Beyond the 30 s queue recheck: a build queued while the cache still held a deleted pod starts by then. */
    static final Duration TIMEOUT = Duration.ofSeconds(45);
    static final String NS = "default";
    static final String IMAGE_BY_DIGEST = "registry.example/ok@" + DIGEST;
    static final String PUSH_SECRET = "smoke-push";

    @Inject
    KubernetesClient client;

    @AfterEach
    void deleteWhatTheTestLeft() {
        Resources.deleteAll(client, NS);
    }

    @BeforeEach
    void pushSecret() {
        client.resource(new SecretBuilder().withNewMetadata().withName(PUSH_SECRET).withNamespace(NS).endMetadata()
                .withType("kubernetes.io/dockerconfigjson").withData(Map.of(".dockerconfigjson", "e30=")).build())
                .createOr(existing -> existing.update());
    }

    @Test
    void runsThePushedImageByDigestInARestrictedPodAndPassesOnExpectedExitAndOutput() {
        SmokeTestSpec test = new SmokeTestSpec();
        test.setArgs(List.of("--greet", "$(HOME)"));
        test.setEnv(List.of(new LiteralEnvVar("GREETING", "hi $USER")));
        test.setOutputPattern("hel+o");
        test.setTimeout("30s");
        MinimalImage created = create("smoke-ok", test, "registry.example/smoke-ok:1");
        Pod smoke = buildAndAwaitSmokePod("smoke-ok");

        assertThat(smoke.getMetadata().getName()).matches("smoke-ok-smoke-[0-9a-f]{10}");
        assertThat(smoke.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
        });
        Container container = smoke.getSpec().getContainers().get(0);
        assertThat(smoke.getSpec().getContainers()).hasSize(1);
        assertThat(container.getName()).isEqualTo("smoke");
        assertThat(container.getImage()).isEqualTo(IMAGE_BY_DIGEST);
        assertThat(container.getArgs()).containsExactly("--greet", "$$(HOME)");
        assertThat(container.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("GREETING");
            assertThat(e.getValue()).isEqualTo("hi $$USER");
        });
        assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(smoke.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(smoke.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(smoke.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(smoke.getSpec().getEnableServiceLinks()).isFalse();
        assertThat(smoke.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(smoke.getSpec().getActiveDeadlineSeconds()).isEqualTo(30L);
        assertThat(smoke.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(2L);
        assertThat(smoke.getSpec().getImagePullSecrets()).extracting("name").containsExactly(PUSH_SECRET);

        NetworkPolicy policy = await().atMost(TIMEOUT).until(() -> client.network().v1().networkPolicies()
                .inNamespace(NS).withName("smoke-ok-smoke-test").get(), p -> p != null);
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).isNullOrEmpty();
        assertThat(policy.getSpec().getEgress()).isNullOrEmpty();
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component",
                "smoke-test").containsEntry("build.minimalimage.dev/image", "smoke-ok");
        assertThat(smoke.getMetadata().getLabels()).containsAllEntriesOf(policy.getSpec().getPodSelector()
                .getMatchLabels());
        assertThat(policy.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid()));

        MinimalImageStatus testing = awaitStatus("smoke-ok", s -> s.getSmokeTest() != null);
        assertThat(testing.getPhase()).isEqualTo(Phase.Building);
        assertThat(ready(testing).getReason()).isEqualTo("SmokeTesting");
        assertThat(condition(testing, "SmokeTested").getStatus()).isEqualTo("Unknown");
        assertThat(testing.getDigest()).isEqualTo(DIGEST);
        assertThat(testing.getImageRef()).isEqualTo(IMAGE_BY_DIGEST);

        edit(smoke, s -> new PodStatusBuilder(s).withPhase("Succeeded")
                .withContainerStatuses(smokeTerminated(0, "Completed", "starting\nhello, world\n")).build());
        MinimalImageStatus passed = awaitStatus("smoke-ok", s -> s.getPhase() == Phase.Succeeded);
        assertThat(ready(passed).getStatus()).isEqualTo("True");
        assertThat(ready(passed).getReason()).isEqualTo("Built");
        assertThat(ready(passed).getMessage()).contains("smoke test passed");
        assertThat(condition(passed, "SmokeTested").getStatus()).isEqualTo("True");
        assertThat(passed.getSmokeTest().getExitCode()).isZero();
        assertThat(passed.getSmokeTest().getOutput()).isEqualTo("starting\nhello, world");
        assertThat(passed.getSmokeTest().getRootReplaced()).isFalse();
        assertThat(passed.getSmokeTest().getPod()).isEqualTo(smoke.getMetadata().getName());
    }

    @Test
    void anUnexpectedExitCodeFailsWithTheOutputTailAndKeepsTheDigest() {
        create("smoke-exit", new SmokeTestSpec(), "registry.example/smoke-exit:1");
        Pod smoke = buildAndAwaitSmokePod("smoke-exit");
        edit(smoke, s -> new PodStatusBuilder(s).withPhase("Failed")
                .withContainerStatuses(smokeTerminated(3, "Error", "opening config\nfatal: no config at"
                        + " https://user:s3cret@example.org/x\n")).build());
        MinimalImageStatus failed = awaitStatus("smoke-exit", s -> s.getPhase() == Phase.Failed);
        assertThat(ready(failed).getReason()).isEqualTo("SmokeTestFailed");
        assertThat(ready(failed).getMessage()).contains("exit code 3", "expected 0", "fatal: no config")
                .contains("kubectl logs -n " + NS + " " + smoke.getMetadata().getName() + " -c smoke")
                .doesNotContain("s3cret");
        assertThat(condition(failed, "SmokeTested").getStatus()).isEqualTo("False");
        assertThat(failed.getSmokeTest().getExitCode()).isEqualTo(3);
        assertThat(failed.getSmokeTest().getOutput()).contains("fatal: no config").doesNotContain("s3cret");
        assertThat(failed.getDigest()).isEqualTo(DIGEST);
        assertThat(failed.getImageRef()).isEqualTo(IMAGE_BY_DIGEST);
    }

    /** runc could not execute the program (a dynamic binary on scratch): the image failed its test. */
    @Test
    void aProgramTheRuntimeCannotExecuteFailsTheSmokeTestInTheRuntimesWords() {
        create("smoke-start", new SmokeTestSpec(), "registry.example/smoke-start:1");
        Pod smoke = buildAndAwaitSmokePod("smoke-start");
        String runc = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc"
                + " create failed: unable to start container process: exec: \"/app/hello\": no such file or"
                + " directory: unknown";
        edit(smoke, s -> new PodStatusBuilder(s).withPhase("Failed")
                .withContainerStatuses(smokeTerminated(128, "StartError", runc)).build());
        MinimalImageStatus failed = awaitStatus("smoke-start", s -> s.getPhase() == Phase.Failed);
        assertThat(ready(failed).getReason()).isEqualTo("SmokeTestFailed");
        assertThat(ready(failed).getMessage()).contains("exec: \"/app/hello\": no such file or directory",
                "StartError, exit code 128", "container smoke of smoke-test pod " + smoke.getMetadata().getName());
        assertThat(condition(failed, "SmokeTested").getReason()).isEqualTo("SmokeTestFailed");
        assertThat(failed.getSmokeTest().getExitCode()).isEqualTo(128);
        assertThat(failed.getDigest()).isEqualTo(DIGEST);
    }

    @Test
    void aServerStillRunningAtTheDeadlinePassesAndItsPodIsDeleted() {
        SmokeTestSpec test = new SmokeTestSpec();
        test.setExpectRunning(true);
        test.setTimeout("2s");
        create("smoke-server", test, "registry.example/smoke-server:1");
        Pod smoke = buildAndAwaitSmokePod("smoke-server");
        assertThat(smoke.getSpec().getActiveDeadlineSeconds()).as("a server gets no deadline").isNull();
        // started now, as a kubelet reports it: the pass must wait for the operator's own timer
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        edit(smoke, s -> new PodStatusBuilder(s).withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
                .withName("smoke").withImage(IMAGE_BY_DIGEST).withNewState().withNewRunning()
                .withStartedAt(started.toString()).endRunning().endState().build()).build());
        MinimalImageStatus passed = awaitStatus("smoke-server", s -> s.getPhase() == Phase.Succeeded);
        assertThat(ready(passed).getStatus()).isEqualTo("True");
        assertThat(ready(passed).getMessage()).contains("still running after 2s");
        assertThat(condition(passed, "SmokeTested").getStatus()).isEqualTo("True");
        assertThat(Instant.parse(condition(passed, "SmokeTested").getLastTransitionTime()))
                .as("passed no earlier than the 2 s timeout after the start").isAfterOrEqualTo(started.plusSeconds(2));
        await().atMost(TIMEOUT).until(() -> smokePods("smoke-server").isEmpty());
        // a later reconcile (a spec edit that is no input: its status write says it happened) tests nothing again
        keepFinishedPods(client, NS, "smoke-server", 1);
        awaitStatus("smoke-server", s -> s.getObservedGeneration() == 2L);
        assertThat(smokePods("smoke-server")).as("no second smoke test").isEmpty();
        assertThat(get("smoke-server").getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    }

    @Test
    void aRootImageUserRunsAs65532AndTheStatusSaysSo() {
        MinimalImage resource = resource("smoke-root", new SmokeTestSpec(), "registry.example/smoke-root:1");
        resource.getSpec().getImage().setUser("0:0");
        create(resource);
        Pod smoke = buildAndAwaitSmokePod("smoke-root");
        assertThat(smoke.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(smoke.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        MinimalImageStatus testing = awaitStatus("smoke-root", s -> s.getSmokeTest() != null);
        assertThat(testing.getSmokeTest().getRootReplaced()).isTrue();
        assertThat(testing.getSmokeTest().getRunAsUser()).isEqualTo(65532L);
        assertThat(testing.getSmokeTest().getRunAsGroup()).as("the image's group, kept").isZero();
    }

    @Test
    void aTwoPlatformImageGetsASmokePodPerPlatformTheArm64OneUnderTheEmulatorAndPassesWhenBothPass() {
        MinimalImage resource = Resources.inline("smoke-multi", Language.Name.GO, "registry.example/smoke-multi:1",
                Map.of("main.go", "package main\nfunc main() {}\n"));
        resource.getMetadata().setNamespace(NS);
        resource.getSpec().setPlatforms(List.of(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64));
        resource.getSpec().getImage().setPushSecret(PUSH_SECRET);
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        create(resource);
        String amd64 = "sha256:" + "a1".repeat(32);
        String arm64 = "sha256:" + "a2".repeat(32);
        BuildResult pushed = BuildResult.multiPlatform("registry.example/smoke-multi@" + DIGEST, DIGEST, 9000,
                List.of(platform("linux/amd64", amd64, "x86-64"), platform("linux/arm64", arm64, "AArch64")));
        Pod builder = awaitPod("smoke-multi", "-build-");
        edit(builder, s -> new PodStatusBuilder(s).withPhase("Succeeded")
                .withContainerStatuses(terminated("compile", 0, null), terminated("package", 0, pushed.toJson())).build());

        await().atMost(TIMEOUT).until(() -> smokePods("smoke-multi").size() == 2);
        Pod home = smokePods("smoke-multi").stream().filter(p -> !p.getMetadata().getName().endsWith("-arm64"))
                .findFirst().orElseThrow();
        Pod emulated = smokePods("smoke-multi").stream().filter(p -> p.getMetadata().getName().endsWith("-arm64"))
                .findFirst().orElseThrow();
        assertThat(home.getSpec().getContainers().get(0).getImage()).isEqualTo("registry.example/smoke-multi@" + DIGEST);
        assertThat(emulated.getSpec().getContainers().get(0).getImage()).isEqualTo("registry.example/smoke-multi@"
                + arm64);
        assertThat(emulated.getSpec().getInitContainers()).singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo("local/minimal-image-emulator:test"));
        assertThat(emulated.getSpec().getNodeSelector()).containsEntry("kubernetes.io/arch", "amd64");
        MinimalImageStatus testing = awaitStatus("smoke-multi", s -> s.getPlatforms() != null
                && s.getPlatforms().get(1).getSmokeTestOn() != null);
        assertThat(testing.getPlatforms()).extracting("smokeTest").containsExactly("Running", "Running");
        assertThat(testing.getPlatforms()).extracting("smokeTestOn").containsExactly("NODE", "EMULATED");

        edit(home, s -> new PodStatusBuilder(s).withPhase("Succeeded")
                .withContainerStatuses(smokeTerminated(0, "Completed", "hi from amd64\n")).build());
        MinimalImageStatus halfway = awaitStatus("smoke-multi", s -> s.getPlatforms().get(0).getSmokeTest()
                .equals("Passed"));
        assertThat(halfway.getPhase()).as("the arm64 run is still going").isEqualTo(Phase.Building);
        edit(emulated, s -> new PodStatusBuilder(s).withPhase("Succeeded")
                .withContainerStatuses(smokeTerminated(0, "Completed", "hi from arm64\n")).build());
        MinimalImageStatus passed = awaitStatus("smoke-multi", s -> s.getPhase() == Phase.Succeeded);
        assertThat(passed.getPlatforms()).extracting("smokeTest").containsExactly("Passed", "Passed");
        assertThat(ready(passed).getMessage()).contains("linux/amd64, linux/arm64 passed");
        assertThat(passed.getSmokeTest().getOutput()).isEqualTo("hi from amd64");
        assertThat(smokePods("smoke-multi")).as("both finished pods stay for their logs").hasSize(2);
    }

    static BuildResult.PlatformResult platform(String platform, String digest, String machine) {
        return new BuildResult.PlatformResult(platform, digest, 4000L, 9000L, new LinkSummary("Static", "none",
                machine, null, List.of(), null, List.of(), null, "static"), null, null);
    }

    @Test
    void theSmokeTestIsNoBuildInputAndWithoutOneNothingChanges() {
        create("smoke-none", new SmokeTestSpec(), "registry.example/smoke-none:1");
        Pod builder = awaitPod("smoke-none", "-build-");
        awaitNetworkPolicy("smoke-none", true);
        // the status write that records the pod comes first: an edit racing it would be refused with a conflict
        awaitStatus("smoke-none", s -> s.getPhase() == Phase.Building
                && builder.getMetadata().getName().equals(s.getBuilderPod()));
        // dropping the smoke test keeps the inputs: the same builder pod, no new one
        client.resources(MinimalImage.class).inNamespace(NS).withName("smoke-none")
                .edit(r -> { r.getSpec().getVerify().setSmokeTest(null); return r; });
        awaitNetworkPolicy("smoke-none", false);
        finishBuild(builder);
        MinimalImageStatus status = awaitStatus("smoke-none", s -> s.getPhase() == Phase.Succeeded);
        assertThat(ready(status).getReason()).isEqualTo("Built");
        assertThat(ready(status).getMessage()).isEqualTo("pushed " + IMAGE_BY_DIGEST);
        assertThat(status.getConditions()).extracting("type").doesNotContain("SmokeTested");
        assertThat(status.getSmokeTest()).isNull();
        assertThat(status.getBuilderPod()).isEqualTo(builder.getMetadata().getName());
        assertThat(pods("smoke-none", "-build-")).extracting(p -> p.getMetadata().getName())
                .containsExactly(builder.getMetadata().getName());
        // a later reconcile (a spec edit that is no input: its status write says it happened) starts no smoke test
        keepFinishedPods(client, NS, "smoke-none", 1);
        awaitStatus("smoke-none", s -> s.getObservedGeneration() == 3L);
        assertThat(smokePods("smoke-none")).isEmpty();
    }

    // ---- helpers

    MinimalImage resource(String name, SmokeTestSpec test, String image) {
        MinimalImage resource = Resources.helloC(name, image);
        resource.getSpec().getImage().setPushSecret(PUSH_SECRET);
        resource.getSpec().getVerify().setSmokeTest(test);
        resource.getMetadata().setNamespace(NS);
        return resource;
    }

    MinimalImage create(String name, SmokeTestSpec test, String image) {
        return create(resource(name, test, image));
    }

    MinimalImage create(MinimalImage resource) {
        return client.resource(resource).create();
    }

    /** The builder pod records a push; the operator then starts the smoke-test pod. */
    Pod buildAndAwaitSmokePod(String name) {
        finishBuild(awaitPod(name, "-build-"));
        return awaitPod(name, "-smoke-");
    }

    void finishBuild(Pod builder) {
        edit(builder, s -> new PodStatusBuilder(s).withPhase("Succeeded")
                .withContainerStatuses(terminated("compile", 0, null), terminated("package", 0, success().toJson())).build());
    }

    void awaitNetworkPolicy(String name, boolean present) {
        await().atMost(TIMEOUT).until(() -> (client.network().v1().networkPolicies().inNamespace(NS)
                .withName(name + "-smoke-test").get() != null) == present);
    }

    static ContainerStatus smokeTerminated(int exitCode, String reason, String message) {
        return new ContainerStatusBuilder().withName("smoke").withImage(IMAGE_BY_DIGEST).withNewState()
                .withNewTerminated().withExitCode(exitCode).withReason(reason).withMessage(message)
                .withFinishedAt("2026-11-23T10:00:05Z").endTerminated().endState().build();
    }

    List<Pod> pods(String name, String infix) {
        return client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith(name + infix)).toList();
    }

    List<Pod> smokePods(String name) {
        return pods(name, "-smoke-");
    }

    Pod awaitPod(String name, String infix) {
        await().atMost(TIMEOUT).until(() -> !pods(name, infix).isEmpty());
        return pods(name, infix).get(0);
    }

    MinimalImage get(String name) {
        return client.resources(MinimalImage.class).inNamespace(NS).withName(name).get();
    }

    MinimalImageStatus awaitStatus(String name, Predicate<MinimalImageStatus> condition) {
        await().atMost(TIMEOUT).until(() -> Optional.ofNullable(get(name).getStatus()).filter(condition).isPresent());
        return get(name).getStatus();
    }

    void edit(Pod pod, UnaryOperator<PodStatus> change) {
        client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.setStatus(change.apply(p.getStatus() == null ? new PodStatus() : p.getStatus()));
            return p;
        });
    }
}
