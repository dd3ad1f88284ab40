package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.BuildCache;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.SbomSummary;
import dev.minimalimage.testsupport.PodSteps;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The reconciler against the Fabric8 mock API server (CRUD mode), the one stand-in. Pod status is written by the
 * test the way a kubelet would report it; the real-cluster tier (ClusterIT) runs the pods for real.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
public class MinimalImageReconcilerTest {

    /** Beyond the 30 s queue recheck: a build queued while the cache still held a deleted pod starts by then. */
    static final Duration TIMEOUT = Duration.ofSeconds(45);
    static final String NS = "default";

    @Inject
    KubernetesClient client;

    @AfterEach
    void deleteWhatTheTestLeft() {
        Resources.deleteAll(client, NS);
    }

    @Test
    void createsOneRestrictedBuilderPodNamedByItsInputs() {
        MinimalImage created = create(Resources.helloC("pod-shape", "registry.example/pod-shape:1"));
        Pod pod = awaitPod("pod-shape");
        assertThat(pod.getMetadata().getName()).matches("pod-shape-build-[0-9a-f]{10}");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
        });
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(15 * 60L);
        assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).as("a deleted build is unwanted").isEqualTo(2L);
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        assertThat(pod.getSpec().getContainers()).extracting("name").containsExactly("compile", "package");
        for (var container : concat(pod.getSpec().getInitContainers(), pod.getSpec().getContainers())) {
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        }
        ConfigMap source = sourceConfigMaps("pod-shape").get(0);
        assertThat(source.getMetadata().getName()).matches("pod-shape-src-[0-9a-f]{10}");
        assertThat(source.getImmutable()).isTrue();
        assertThat(source.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
        });
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap() == null ? null
                : v.getConfigMap().getName()).isEqualTo(source.getMetadata().getName()));
        assertThat(source.getData()).containsKey("f0");
        assertThat(source.getData().get("f0")).contains("puts");
        MinimalImageStatus status = awaitStatus("pod-shape", s -> s.getPhase() == MinimalImageStatus.Phase.Building);
        assertThat(ready(status).getStatus()).isEqualTo("False");
        assertThat(ready(status).getReason()).isEqualTo("Building");
        assertThat(status.getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
    }

    /**
     * A source ConfigMap an earlier operator version left (owned by the resource, without the annotations JOSDK puts on
     * what it creates now) still reaches the clean-up: the dependent maps ConfigMaps to resources by owner reference.
     */
    @Test
    void aSourceConfigMapOfAnEarlierVersionIsCleanedUpByItsOwnerReference() {
        MinimalImage created = create(Resources.helloC("legacy", "registry.example/legacy:1"));
        Pod pod = awaitPod("legacy");
        finish(pod, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        awaitStatus("legacy", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        await().atMost(TIMEOUT).until(() -> sourceConfigMaps("legacy").isEmpty());

        client.configMaps().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("legacy-src-0123456789").withNamespace(NS)
                    .addToLabels(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY)
                    .withOwnerReferences(dev.minimalimage.planning.BuilderPodFactory.controllerReference(created))
                .endMetadata().addToData("f0", "int main(void){return 0;}").build()).create();

        await().atMost(TIMEOUT).until(() -> sourceConfigMaps("legacy").isEmpty());
    }

    @Test
    void successFillsTheStatusAndSameInputsNeverBuildAgain() {
        create(Resources.helloC("ok", "registry.example/ok:1"));
        Pod pod = awaitPod("ok");
        finish(pod, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        MinimalImageStatus status = awaitStatus("ok", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        assertThat(ready(status).getStatus()).isEqualTo("True");
        assertThat(ready(status).getReason()).isEqualTo("Built");
        assertThat(status.getDigest()).isEqualTo(DIGEST);
        assertThat(status.getShortDigest()).isEqualTo(DIGEST.substring(7, 19));
        assertThat(status.getCompressedSize()).isEqualTo(4660L);
        assertThat(status.getLink().getVerdict()).isEqualTo("Static");
        assertThat(condition(status, "LinkVerified").getReason()).isEqualTo("Static");
        String readySince = ready(status).getLastTransitionTime();

        assertThat(eventReasons("ok")).contains("BuildStarted", "BuildSucceeded");
        // the sources were only for the pod: an ended build keeps no copy of them in a ConfigMap
        await().atMost(TIMEOUT).until(() -> sourceConfigMaps("ok").isEmpty());

        // with its pod gone, a fresh reconcile (as after an operator restart: nothing cached but the status) must
        // not rebuild: a spec edit that is no build input wakes one, and its status write says it happened
        client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();
        await().atMost(TIMEOUT).until(() -> podsOf("ok").isEmpty());
        keepFinishedPods("ok", 1);
        awaitStatus("ok", s -> s.getObservedGeneration() == 2L);
        assertThat(podsOf("ok")).isEmpty();
        assertThat(sourceConfigMaps("ok")).as("no source ConfigMap for a build that has ended").isEmpty();
        MinimalImageStatus after = get("ok").getStatus();
        assertThat(after.getDigest()).isEqualTo(DIGEST);
        assertThat(ready(after).getLastTransitionTime()).isEqualTo(readySince);
    }

    @Test
    void theDebugTwinOfASuccessfulBuildIsInTheStatus() {
        MinimalImage twin = Resources.helloC("twin", "registry.example/twin:1");
        twin.getSpec().getImage().setDebugTag("1-debug");
        create(twin);
        Pod pod = awaitPod("twin");
        assertThat(PodSteps.step(pod, "package").getArgs()).containsSequence("--debug-tag", "1-debug");
        String twinDigest = "sha256:" + "cd".repeat(32);
        finish(pod, "Succeeded", terminated("compile", 0, null), terminated("package", 0,
                success().withDebugImage("registry.example/twin@" + twinDigest, twinDigest).toJson()));
        MinimalImageStatus status = awaitStatus("twin", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        assertThat(status.getDebugImage()).isEqualTo("registry.example/twin@" + twinDigest);
        assertThat(status.getDigest()).isEqualTo(DIGEST);
    }

    @Test
    void theSbomOfASuccessfulBuildIsInTheStatus() {
        create(Resources.helloC("sbom", "registry.example/sbom:1"));
        Pod pod = awaitPod("sbom");
        String document = "sha256:" + "5b".repeat(32);
        finish(pod, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success()
                .withSbom(new SbomSummary(document, "CycloneDX 1.6", 7, "sha256:" + "7e".repeat(32))).toJson()));
        MinimalImageStatus status = awaitStatus("sbom", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        assertThat(status.getSbom().getDigest()).isEqualTo(document);
        assertThat(status.getSbom().getFormat()).isEqualTo("CycloneDX 1.6");
        assertThat(status.getSbom().getComponents()).isEqualTo(7);
        assertThat(status.getDigest()).isEqualTo(DIGEST);
    }

    @Test
    void specChangeStartsANewBuildAndNeverReportsTheOldResult() {
        create(Resources.helloC("change", "registry.example/change:1"));
        Pod first = awaitPod("change");
        finish(first, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        awaitStatus("change", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);

        MinimalImage changed = get("change");
        changed.getSpec().getImage().setName("registry.example/change:2");
        client.resource(changed).update();
        await().atMost(TIMEOUT).until(() -> podsOf("change").stream()
                .anyMatch(p -> !p.getMetadata().getName().equals(first.getMetadata().getName())));
        MinimalImageStatus status = awaitStatus("change", s -> s.getObservedGeneration() == 2L);
        assertThat(status.getDigest()).isNull();
        assertThat(status.getPhase()).isIn(MinimalImageStatus.Phase.Pending, MinimalImageStatus.Phase.Building);
        assertThat(ready(status).getStatus()).isEqualTo("False");
    }

    @Test
    void invalidSpecIsReportedWithoutAPodOrRetry() {
        MinimalImage bad = Resources.helloC("bad-timeout", "registry.example/bad:1");
        bad.getSpec().getBuild().setTimeout("30s");
        create(bad);
        MinimalImageStatus status = awaitStatus("bad-timeout", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(status).getReason()).isEqualTo("InvalidSpec");
        assertThat(ready(status).getMessage()).contains("between 1m and 6h");
        assertThat(podsOf("bad-timeout")).isEmpty();
    }

    @Test
    void aRecordedPushWinsOverALaterDeadlineOrEviction() {
        for (String reason : List.of("DeadlineExceeded", "Evicted")) {
            String name = "late-" + reason.toLowerCase();
            create(Resources.helloC(name, "registry.example/" + name + ":1"));
            Pod pod = awaitPod(name);
            edit(pod, s -> placed(pod, new PodStatusBuilder(s).withPhase("Failed").withReason(reason)
                    .withMessage("after the push"), terminated("compile", 0, null),
                    terminated("package", 0, success().toJson())));
            MinimalImageStatus status = awaitStatus(name, s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
            assertThat(status.getDigest()).isEqualTo(DIGEST);
            assertThat(ready(status).getStatus()).isEqualTo("True");
        }
    }

    @Test
    void namedSecretsAreCheckedBeforeAPodExistsAndTheirMissingKeysNamed() {
        MinimalImage noSecret = Resources.helloC("no-secret", "registry.example/no-secret:1");
        noSecret.getSpec().getImage().setPushSecret("absent");
        create(noSecret);
        MinimalImageStatus missing = awaitStatus("no-secret", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(missing).getReason()).isEqualTo("PushSecretInvalid");
        assertThat(ready(missing).getMessage()).isEqualTo("spec.image.pushSecret: no Secret absent in namespace " + NS);

        client.resource(new SecretBuilder().withNewMetadata().withName("wrong-key").withNamespace(NS).endMetadata()
                .withType("kubernetes.io/dockerconfigjson").withData(Map.of("config.json", "e30=")).build()).create();
        MinimalImage wrongKey = Resources.helloC("wrong-key", "registry.example/wrong-key:1");
        wrongKey.getSpec().getImage().setPushSecret("wrong-key");
        create(wrongKey);
        MinimalImageStatus keyless = awaitStatus("wrong-key", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(keyless).getMessage()).isEqualTo("spec.image.pushSecret: Secret wrong-key has no key"
                + " .dockerconfigjson");

        client.resource(new SecretBuilder().withNewMetadata().withName("ssh-key-only").withNamespace(NS).endMetadata()
                .withType("kubernetes.io/ssh-auth").withData(Map.of("ssh-privatekey", "a2V5")).build()).create();
        MinimalImage git = Resources.helloC("git-no-hosts", "registry.example/git:1");
        Source.Git repo = new Source.Git();
        repo.setUrl("ssh://git@git.example/repo.git");
        repo.setCredentialsSecret("ssh-key-only");
        git.getSpec().getSource().setInline(null);
        git.getSpec().getSource().setGit(repo);
        create(git);
        MinimalImageStatus noHosts = awaitStatus("git-no-hosts", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(noHosts).getReason()).isEqualTo("GitSecretInvalid");
        assertThat(ready(noHosts).getMessage()).contains("Secret ssh-key-only has no key known_hosts")
                .doesNotContain("a2V5");
        assertThat(podsOf("no-secret")).isEmpty();
        assertThat(podsOf("wrong-key")).isEmpty();
        assertThat(podsOf("git-no-hosts")).isEmpty();

        // the Secret's own event wakes the resource (the fallback timer would take a minute)
        client.resource(new SecretBuilder().withNewMetadata().withName("absent").withNamespace(NS).endMetadata()
                .withType("kubernetes.io/dockerconfigjson").withData(Map.of(".dockerconfigjson", "e30=")).build())
                .create();
        await().atMost(TIMEOUT).until(() -> !podsOf("no-secret").isEmpty());
    }

    @Test
    void aCacheClaimItsOwnerDidNotOptInIsRefusedWithoutAPodUntilLabelled() {
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("db-data").withNamespace(NS)
                .endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").endSpec().build()).create();
        MinimalImage cached = Resources.helloC("cached", "registry.example/cached:1");
        BuildCache cache = new BuildCache();
        cache.setClaimName("db-data");
        cached.getSpec().getBuild().setCache(cache);
        create(cached);
        MinimalImageStatus status = awaitStatus("cached", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(status).getReason()).isEqualTo("CacheClaimInvalid");
        assertThat(ready(status).getMessage()).contains("PersistentVolumeClaim db-data is not labelled"
                + " build.minimalimage.dev/cache=true");
        assertThat(podsOf("cached")).isEmpty();

        client.persistentVolumeClaims().inNamespace(NS).withName("db-data").edit(c -> {
            c.getMetadata().setLabels(Map.of("build.minimalimage.dev/cache", "true"));
            return c;
        });
        MinimalImage touched = get("cached"); // the timer re-checks within a minute; a spec edit at once
        touched.getSpec().getBuild().setKeepFinishedPods(3);
        client.resource(touched).update();
        Pod pod = awaitPod("cached");
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getName()).isEqualTo("build-cache"));
    }

    @Test
    void compileFailureCarriesTheCompilerErrorAndALogsHint() {
        create(Resources.helloC("broken", "registry.example/broken:1"));
        Pod pod = awaitPod("broken");
        String log = "main.c: In function 'main':\nmain.c:1:30: error: expected ';' before 'return'\ncompilation terminated.\n";
        finish(pod, "Failed", terminated("compile", 1, log), terminated("package", 8, null));
        MinimalImageStatus status = awaitStatus("broken", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(status).getReason()).isEqualTo("CompileFailed");
        assertThat(ready(status).getMessage()).contains("main.c:1:30: error: expected ';' before 'return'")
                .contains("kubectl logs -n default " + pod.getMetadata().getName() + " -c compile");
        assertThat(condition(status, "Compiled").getStatus()).isEqualTo("False");
    }

    @Test
    void aTokenInAStepsLogNeverReachesTheStatusOrEvents() {
        create(Resources.helloC("leaky", "registry.example/leaky:1"));
        Pod pod = awaitPod("leaky");
        String log = "error: could not read from https://ci:ghp_s3cr3tT0k3nValue@git.example.com/x.git?token=abc\n"
                + "main.c:1:1: error: dependency download failed\n";
        finish(pod, "Failed", terminated("compile", 1, log), terminated("package", 8, null));
        MinimalImageStatus status = awaitStatus("leaky", failed());
        assertThat(ready(status).getMessage()).contains("git.example.com/x.git")
                .doesNotContain("ghp_s3cr3tT0k3nValue").doesNotContain("token=abc");
        await().atMost(TIMEOUT).until(() -> eventMessages("leaky").stream().anyMatch(m -> m.contains("git.example.com")));
        assertThat(eventMessages("leaky")).noneMatch(m -> m.contains("ghp_s3cr3tT0k3nValue"));
    }

    @Test
    void anUnreadableResultAfterTheStepsEndedIsRetried() {
        create(Resources.helloC("unreadable", "registry.example/unreadable:1"));
        Pod first = awaitPod("unreadable");
        finish(first, "Succeeded", terminated("compile", 0, null), terminated("package", 0, "{truncated"));
        MinimalImageStatus retrying = awaitStatus("unreadable", s -> s.getNextAttemptTime() != null);
        assertThat(ready(retrying).getMessage()).startsWith("retrying in 10s after ResultUnreadable (attempt 1 of 3)");
        Pod second = awaitOtherPod("unreadable", first);
        finish(second, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        assertThat(awaitStatus("unreadable", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded).getDigest())
                .isEqualTo(DIGEST);
    }

    @Test
    void dynamicBinaryFailsWithTheNeededLibrariesInTheStatus() {
        create(Resources.helloC("dyn", "registry.example/dyn:1"));
        Pod pod = awaitPod("dyn");
        LinkSummary link = new LinkSummary("Dynamic", "glibc", "x86-64", "/lib64/ld-linux-x86-64.so.2",
                List.of("libc.so.6"), null, List.of(), null, "has PT_INTERP");
        String result = BuildResult.failure(dev.minimalimage.result.ResultReason.DynamicDependency,
                "binary is Dynamic; it needs libc.so.6", link).toJson();
        finish(pod, "Failed", terminated("compile", 0, null), terminated("package", 3, result));
        MinimalImageStatus status = awaitStatus("dyn", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(status).getReason()).isEqualTo("DynamicDependency");
        assertThat(status.getLink().getNeeded()).containsExactly("libc.so.6");
        assertThat(condition(status, "LinkVerified").getStatus()).isEqualTo("False");
        assertThat(condition(status, "Compiled").getStatus()).isEqualTo("True");
    }

    /**
     * A new inline build's source ConfigMap and pod are created in its first reconcile: the pod waits for the
     * ConfigMap, which that same reconcile creates. Not Queued first (with a free slot) and half a second later.
     */
    @Test
    void aNewInlineBuildGetsItsPodWithoutBeingQueuedFirst() {
        create(Resources.helloC("at-once", "registry.example/at-once:1"));
        awaitPod("at-once");
        await().atMost(TIMEOUT).until(() -> eventReasons("at-once").contains("BuildStarted"));
        assertThat(eventReasons("at-once")).doesNotContain("BuildQueued");
    }

    /**
     * The compile step's shell was killed before it could hand over: the packer beside it would wait until the pod's
     * deadline. The operator stops the pod (lowering its deadline, marking it) and keeps the compile step's reason.
     */
    @Test
    void aPackerLeftWaitingByAKilledCompileStepIsStoppedAndTheCompileReasonStays() {
        create(Resources.helloC("killed", "registry.example/killed:1"));
        Pod pod = awaitPod("killed");
        finish(pod, "Running", new ContainerStatusBuilder().withName("compile").withNewState().withNewTerminated()
                .withExitCode(137).withReason("OOMKilled").endTerminated().endState().build(),
                new ContainerStatusBuilder().withName("package").withNewState().withNewRunning().endRunning()
                        .endState().build());

        assertThat(ready(awaitStatus("killed", failed())).getReason()).isEqualTo("OutOfMemory");
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get()
                .getSpec().getActiveDeadlineSeconds() == 1L);
        Pod stopped = client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get();
        assertThat(stopped.getMetadata().getAnnotations())
                .containsEntry(BuilderLayout.ANNOTATION_STOPPED, BuilderLayout.COMPILE_CONTAINER);

        // the kubelet then ends the pod for its deadline: still the compile step's failure, not a Timeout
        edit(stopped, s -> new PodStatusBuilder(s).withPhase("Failed").withReason("DeadlineExceeded").build());
        await().during(Duration.ofSeconds(1)).atMost(TIMEOUT).until(() -> "OutOfMemory".equals(
                ready(get("killed").getStatus()).getReason()));
    }

    @Test
    void podLevelFailuresMapToActionableReasons() {
        create(Resources.helloC("oom", "registry.example/oom:1"));
        Pod oom = awaitPod("oom");
        finish(oom, "Failed", new ContainerStatusBuilder().withName("compile").withNewState().withNewTerminated()
                .withExitCode(137).withReason("OOMKilled").endTerminated().endState().build(),
                terminated("package", 8, null));
        assertThat(ready(awaitStatus("oom", failed())).getReason()).isEqualTo("OutOfMemory");

        create(Resources.helloC("slow", "registry.example/slow:1"));
        Pod slow = awaitPod("slow");
        edit(slow, s -> new PodStatusBuilder(s).withPhase("Failed").withReason("DeadlineExceeded")
                .withMessage("Pod was active on the node longer than the specified deadline").build());
        MinimalImageStatus timedOut = awaitStatus("slow", failed());
        assertThat(ready(timedOut).getReason()).isEqualTo("Timeout");
        assertThat(ready(timedOut).getMessage()).contains("900s");

        create(Resources.helloC("pull", "registry.example/pull:1"));
        Pod pull = awaitPod("pull");
        edit(pull, s -> placed(pull, new PodStatusBuilder(s).withPhase("Pending"),
                new ContainerStatusBuilder().withName("compile").withImage("docker.io/library/nope:1").withNewState()
                        .withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image")
                        .endWaiting().endState().build()));
        // the kubelet retries a pull by itself: within spec.build.pullTimeout the build waits, then goes on
        MinimalImageStatus backingOff = awaitStatus("pull", s -> s.getPullFailingSince() != null);
        assertThat(backingOff.getPhase()).isEqualTo(MinimalImageStatus.Phase.Building);
        assertThat(ready(backingOff).getReason()).isEqualTo("ImagePullBackOff");
        assertThat(ready(backingOff).getMessage()).contains("docker.io/library/nope:1", "spec.build.pullTimeout (300s)");
        edit(pull, s -> placed(pull, new PodStatusBuilder(s).withPhase("Pending"),
                new ContainerStatusBuilder().withName("compile").withImage("docker.io/library/nope:1").withNewState()
                        .withNewRunning().endRunning().endState().build()));
        MinimalImageStatus pulled = awaitStatus("pull", s -> s.getPullFailingSince() == null);
        assertThat(ready(pulled).getReason()).isEqualTo("Building");
        assertThat(podsOf("pull")).hasSize(1);
    }

    @Test
    void anEvictionIsRetriedOnANewPodAfterABackOff() {
        create(Resources.helloC("evicted", "registry.example/evicted:1"));
        Pod first = awaitPod("evicted");
        edit(first, s -> new PodStatusBuilder(s).withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build());
        MinimalImageStatus retrying = awaitStatus("evicted", s -> s.getNextAttemptTime() != null);
        assertThat(retrying.getAttempts()).isEqualTo(1);
        assertThat(ready(retrying).getReason()).isEqualTo("Retrying");
        assertThat(ready(retrying).getMessage()).startsWith("retrying in 10s after Evicted (attempt 1 of 3)")
                .contains("low on resource");
        Pod second = awaitOtherPod("evicted", first);
        assertThat(second.getMetadata().getName()).isEqualTo(first.getMetadata().getName() + "-2");
        finish(second, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        MinimalImageStatus done = awaitStatus("evicted", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        assertThat(done.getAttempts()).isEqualTo(2);
        assertThat(done.getNextAttemptTime()).isNull();
        assertThat(eventReasons("evicted")).contains("BuildRetrying", "BuildSucceeded");
    }

    @Test
    void anInlineEditReachesTheNewPodThroughItsOwnConfigMap() {
        create(Resources.helloC("edited", "registry.example/edited:1"));
        Pod first = awaitPod("edited");
        String firstSource = sourceConfigMaps("edited").get(0).getMetadata().getName();
        client.resources(MinimalImage.class).inNamespace(NS).withName("edited").edit(r -> {
            r.getSpec().getSource().getInline().getFiles().put("main.c",
                    "#include <stdio.h>\nint main(void){puts(\"edited\");return 0;}\n");
            return r;
        });
        Pod second = awaitOtherPod("edited", first);
        String secondSource = second.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null)
                .map(v -> v.getConfigMap().getName()).findFirst().orElseThrow();
        assertThat(secondSource).isNotEqualTo(firstSource).startsWith("edited-src-");
        assertThat(client.configMaps().inNamespace(NS).withName(secondSource).get().getData().values())
                .anySatisfy(content -> assertThat(content).contains("edited"));
        await().atMost(TIMEOUT).until(() -> client.configMaps().inNamespace(NS).withName(firstSource).get() == null);
    }

    @Test
    void twoLongNamesSharingAPrefixGetTheirOwnPodsConfigMapsAndEvents() {
        String shared = "x".repeat(250);
        create(Resources.helloC(shared + "-a", "registry.example/long:1"));
        create(Resources.helloC(shared + "-b", "registry.example/long:1"));
        await().atMost(TIMEOUT).until(() -> ownedPods(shared + "-a").size() == 1 && ownedPods(shared + "-b").size() == 1);
        Pod a = ownedPods(shared + "-a").get(0);
        Pod b = ownedPods(shared + "-b").get(0);
        assertThat(a.getMetadata().getName()).isNotEqualTo(b.getMetadata().getName()).hasSizeLessThanOrEqualTo(63);
        await().atMost(TIMEOUT).until(() -> eventReasons(shared + "-a").contains("BuildStarted")
                && eventReasons(shared + "-b").contains("BuildStarted"));
        List<String> sources = client.configMaps().inNamespace(NS).list().getItems().stream()
                .filter(c -> c.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> o.getName().startsWith(shared)))
                .map(c -> c.getMetadata().getName()).distinct().toList();
        assertThat(sources).hasSize(2).allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(63));
    }

    @Test
    void changingSpecRebuildBuildsTheSameInputsAgain() {
        create(Resources.helloC("again", "registry.example/again:1"));
        Pod first = awaitPod("again");
        finish(first, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        awaitStatus("again", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        client.resources(MinimalImage.class).inNamespace(NS).withName("again")
                .edit(r -> { r.getSpec().setRebuild("2026-11-30"); return r; });
        awaitOtherPod("again", first);
    }

    @Test
    void aVanishedBuilderPodIsRetriedABoundedNumberOfTimes() {
        create(Resources.helloC("vanish", "registry.example/vanish:1"));
        for (int attempt = 1; attempt <= OperatorSettings.maxBuildAttempts(); attempt++) {
            int expected = attempt;
            // the back-off before attempt n is retry-backoff * 2^(n-2)
            Duration backOff = attempt == 1 ? Duration.ZERO : OperatorSettings.retryBackoff().multipliedBy(1L << (attempt - 2));
            await().atMost(TIMEOUT.plus(backOff)).until(() -> podsOf("vanish").size() == 1);
            String uid = podsOf("vanish").get(0).getMetadata().getUid();
            awaitStatus("vanish", s -> uid.equals(s.getBuilderPodUid()) && s.getAttempts() == expected);
            client.pods().inNamespace(NS).withName(podsOf("vanish").get(0).getMetadata().getName()).delete();
            await().atMost(TIMEOUT).until(() -> podsOf("vanish").isEmpty());
        }
        MinimalImageStatus lost = awaitStatus("vanish", failed());
        assertThat(ready(lost).getReason()).isEqualTo("BuilderPodLost");
        assertThat(ready(lost).getMessage()).contains("attempt 3 of 3, none left");
        assertThat(podsOf("vanish")).isEmpty();
    }

    @Test
    void gitSourceIsFetchedByTheBuilderAndTheCommitIsRecorded() {
        MinimalImage git = Resources.helloC("from-git", "registry.example/from-git:1");
        dev.minimalimage.api.v1alpha1.Source.Git repo = new dev.minimalimage.api.v1alpha1.Source.Git();
        repo.setUrl("https://example.org/hello.git");
        repo.setRevision("main");
        git.getSpec().getSource().setInline(null);
        git.getSpec().getSource().setGit(repo);
        create(git);
        Pod pod = awaitPod("from-git");
        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        assertThat(pod.getSpec().getContainers()).extracting("name").containsExactly("fetch", "compile", "package");
        assertThat(sourceConfigMaps("from-git")).isEmpty();
        String commit = "0123456789abcdef0123456789abcdef01234567";
        finish(pod, "Succeeded", terminated("fetch", 0, "{\"commit\":\"" + commit + "\"}"),
                terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        MinimalImageStatus status = awaitStatus("from-git", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);
        assertThat(status.getSourceCommit()).isEqualTo(commit);
        assertThat(condition(status, "SourceFetched").getStatus()).isEqualTo("True");
    }

    @Test
    void finishedPodsBeyondTheRetentionAndStaleRunningPodsAreDeleted() {
        MinimalImage keepOne = Resources.helloC("retain", "registry.example/retain:1");
        keepOne.getSpec().getBuild().setKeepFinishedPods(1);
        create(keepOne);
        Pod first = awaitPod("retain");
        finish(first, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        awaitStatus("retain", s -> s.getPhase() == MinimalImageStatus.Phase.Succeeded);

        bumpTag("retain", "registry.example/retain:2");
        Pod second = awaitOtherPod("retain", first);
        finish(second, "Succeeded", terminated("compile", 0, null), terminated("package", 0, success().toJson()));
        awaitPods("retain", List.of(second.getMetadata().getName()));

        bumpTag("retain", "registry.example/retain:3");
        Pod third = awaitOtherPod("retain", second);
        bumpTag("retain", "registry.example/retain:4"); // supersedes the still running third build
        await().atMost(TIMEOUT).until(() -> podsOf("retain").stream()
                .noneMatch(p -> p.getMetadata().getName().equals(third.getMetadata().getName())));
    }

    // ---- helpers

    void awaitPods(String name, List<String> expected) {
        try {
            await().atMost(TIMEOUT).until(() -> podsOf(name).stream().map(p -> p.getMetadata().getName()).toList()
                    .equals(expected));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("pods " + podsOf(name).stream().map(p -> p.getMetadata().getName() + "/"
                    + p.getMetadata().getCreationTimestamp() + "/" + (p.getStatus() == null ? null : p.getStatus().getPhase()))
                    .toList() + ", expected " + expected + "; status " + get(name).getStatus().getBuilderPod(), e);
        }
    }

    /** A spec edit that is no build input: a new generation, the same build. */
    static void keepFinishedPods(KubernetesClient client, String namespace, String name, int keep) {
        client.resources(MinimalImage.class).inNamespace(namespace).withName(name)
                .edit(r -> { r.getSpec().getBuild().setKeepFinishedPods(keep); return r; });
    }

    void keepFinishedPods(String name, int keep) {
        keepFinishedPods(client, NS, name, keep);
    }

    void bumpTag(String name, String image) {
        client.resources(MinimalImage.class).inNamespace(NS).withName(name)
                .edit(r -> { r.getSpec().getImage().setName(image); return r; });
    }

    Pod awaitOtherPod(String name, Pod previous) {
        await().atMost(TIMEOUT).until(() -> podsOf(name).stream().anyMatch(p -> !p.getMetadata().getName()
                .equals(previous.getMetadata().getName()) && (p.getStatus() == null || p.getStatus().getPhase() == null)));
        return podsOf(name).stream().filter(p -> p.getStatus() == null || p.getStatus().getPhase() == null)
                .filter(p -> !p.getMetadata().getName().equals(previous.getMetadata().getName())).findFirst().orElseThrow();
    }

    List<ConfigMap> sourceConfigMaps(String name) {
        return client.configMaps().inNamespace(NS).list().getItems().stream()
                .filter(c -> c.getMetadata().getName().startsWith(name + "-src-")).toList();
    }

    List<Pod> ownedPods(String resourceName) {
        return client.pods().inNamespace(NS).list().getItems().stream().filter(p -> p.getMetadata()
                .getOwnerReferences().stream().anyMatch(o -> o.getName().equals(resourceName))).toList();
    }

    List<String> eventMessages(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).map(e -> e.getMessage()).toList();
    }

    List<String> eventReasons(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
    }

    public static final String DIGEST = "sha256:" + "ab".repeat(32);

    public static BuildResult success() {
        return BuildResult.success("registry.example/ok@" + DIGEST, DIGEST, 4660, 18432, 17728,
                new LinkSummary("Static", "musl", "x86-64", null, List.of(), null, List.of(), null, "static"));
    }

    static java.util.function.Predicate<MinimalImageStatus> failed() {
        return s -> s.getPhase() == MinimalImageStatus.Phase.Failed;
    }

    MinimalImage create(MinimalImage resource) {
        resource.getMetadata().setNamespace(NS);
        return client.resource(resource).create();
    }

    MinimalImage get(String name) {
        return client.resources(MinimalImage.class).inNamespace(NS).withName(name).get();
    }

    List<Pod> podsOf(String name) {
        return client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith(name + "-build-")).toList();
    }

    Pod awaitPod(String name) {
        try {
            await().atMost(TIMEOUT).until(() -> !podsOf(name).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no builder pod for " + name + "; status " + io.fabric8.kubernetes.client.utils.Serialization.asJson(get(name).getStatus()) + "; config maps "
                    + sourceConfigMaps(name).stream().map(c -> c.getMetadata().getName()).toList() + "; pods "
                    + client.pods().inNamespace(NS).list().getItems().stream().map(p -> p.getMetadata().getName() + "/"
                            + (p.getStatus() == null ? null : p.getStatus().getPhase())).toList()
                    + "; resources " + client.resources(MinimalImage.class).inNamespace(NS).list().getItems().stream()
                            .map(r -> r.getMetadata().getName()).toList(), e);
        }
        return podsOf(name).get(0);
    }

    MinimalImageStatus awaitStatus(String name, java.util.function.Predicate<MinimalImageStatus> condition) {
        await().atMost(TIMEOUT).until(() -> Optional.ofNullable(get(name).getStatus()).filter(condition).isPresent());
        return get(name).getStatus();
    }

    /** The pod ends in {@code phase} with these steps' states, each listed where the pod spec has it. */
    void finish(Pod pod, String phase, ContainerStatus... steps) {
        edit(pod, s -> placed(pod, new PodStatusBuilder(s).withPhase(phase), steps));
    }

    /** {@code steps} as the kubelet lists them: init containers' and regular containers' statuses apart. */
    public static io.fabric8.kubernetes.api.model.PodStatus placed(Pod pod, PodStatusBuilder status,
            ContainerStatus... steps) {
        java.util.Set<String> init = pod.getSpec().getInitContainers().stream().map(c -> c.getName())
                .collect(java.util.stream.Collectors.toSet());
        return status.withInitContainerStatuses(java.util.Arrays.stream(steps).filter(c -> init.contains(c.getName()))
                .toList()).withContainerStatuses(java.util.Arrays.stream(steps)
                        .filter(c -> !init.contains(c.getName())).toList()).build();
    }

    void edit(Pod pod, UnaryOperator<io.fabric8.kubernetes.api.model.PodStatus> change) {
        client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.setStatus(change.apply(p.getStatus() == null ? new io.fabric8.kubernetes.api.model.PodStatus() : p.getStatus()));
            return p;
        });
    }

    public static ContainerStatus terminated(String name, int exitCode, String message) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated().withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message)
                .withFinishedAt("2026-11-23T10:00:00Z").endTerminated().endState().build();
    }

    public static ContainerStatus waiting(String name, String reason) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewWaiting().withReason(reason)
                .endWaiting().endState().build();
    }

    public static Condition ready(MinimalImageStatus status) {
        return condition(status, "Ready");
    }

    public static Condition condition(MinimalImageStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    static <T> List<T> concat(List<? extends T> a, List<? extends T> b) {
        List<T> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
