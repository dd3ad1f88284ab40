package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.BuildCache;
import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.git.GitHosts;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuildCaches;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.testsupport.BoundSshGitServer;
import dev.minimalimage.testsupport.Fixtures;
import dev.minimalimage.testsupport.MinimalImages;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.PushedImages;
import dev.minimalimage.testsupport.RegistryApi;
import dev.minimalimage.testsupport.SshKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The operator on a real Kubernetes cluster (../shared/kube: apiserver, kubelet, containerd, runc, a registry), set up
 * by scripts/test-cluster.sh exactly as a user of an air-gapped cluster would: the operator image built by
 * scripts/image.sh and pushed to the cluster's registry, toolchain images built from Debian packages, the chart
 * installed with the presets pointed at them. Every build here runs in a real builder pod; nothing is imitated.
 * All builds are created up front so they run side by side; each test then waits for its own.
 */
@EnabledIfEnvironmentVariable(named = ClusterEnv.ENABLE, matches = "1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(8);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path README_EXAMPLE = Path.of("examples/hello-c/minimalimage.yaml");
    static final String WRONG_PUSH_SECRET = "wrong-push-creds";
    static final String GIT_SECRET = "git-creds";
    static final String UNANNOTATED_GIT_SECRET = "git-creds-unannotated";
    /** The chart's maxConcurrentBuilds as scripts/test-cluster.sh installs it (the load case reads it back). */
    static final String MAX_CONCURRENT_BUILDS_ENV = "MINIMAL_IMAGE_MAX_CONCURRENT_BUILDS";
    static final int BURST = 20;
    static final String CACHE_CLAIM = "build-cache";
    /** Image args that look like options, and the kubelet's $(VAR) and $$: they must reach the image as written. */
    static final List<String> IMAGE_ARGS = List.of("--port", "8080", "-h", "--", "$(HOME)", "$$", "a b");
    static final String ENV_MESSAGE = "from env $(HOME) $$ ok";

    ClusterEnv env;
    KubernetesClient client;
    RegistryApi registry;
    MinimalImages images;
    SshTestGitServer gitServer;
    Git gitRepo;
    RevCommit gitCommit;
    String gitUrl;
    String gitHosts;
    Map<String, String> gitSecretData;
    Path cacheDir;
    String wrongPassword;
    Path work;

    @BeforeAll
    void setUp() throws Exception {
        env = ClusterEnv.fromEnvironment();
        client = new KubernetesClientBuilder().build();
        registry = new RegistryApi(env.registry(), null, null);
        images = new MinimalImages(client, env.namespace(), BUILD_TIMEOUT, Duration.ofSeconds(1));
        work = Files.createTempDirectory("cluster-it");
        recreateNamespace(env.namespace());
        recreateNamespace(env.unwatchedNamespace());
        gitUrl = startGitServer();
        createSecrets();
        createBuildCache();
        for (String project : Fixtures.PROJECTS) {
            create(fixture(project, "fixture-" + project, "1"));
        }
        // the same inputs under another name: a reproducible build gives the same digest
        create(fixture("make-two-programs", "fixture-again", "again"));
        create(literalEnvBuild());
        create(unschedulable());
        create(gitWithAKeylessSecret());
        create(gitWithAnUnannotatedSecret());
        create(inline("inline-edit", Language.Name.C, Map.of("main.c", program("before the edit"))));
        create(inline("rebuilt", Language.Name.C, Map.of("main.c", program("rebuilt"))));
        // everything that builds is created now, so the builds run side by side
        create(readmeExample());
        MinimalImage smokeOk = smokeTested("smoke-ok", SMOKE_OK_PROGRAM);
        smokeOk.getSpec().getImage().getExtras().setTmp(true); // it writes there; the rest of its root is read-only
        create(smokeOk);
        create(smokeTested("smoke-exit3", "#include <stdio.h>\nint main(void){puts(\"about to fail\");"
                + "fputs(\"smoke: giving up\\n\", stderr);return 3;}\n"));
        create(dynamicSmokeTested());
        create(inline("hello-cpp", Language.Name.CPP, Map.of("main.cpp", "#include <iostream>\n#include <vector>\n"
                + "int main(){std::vector<int> v{1,2,3};std::cout << \"hello from c++ \" << v.size() << std::endl;}\n")));
        create(inline("hello-go", Language.Name.GO,
                Map.of("main.go", "package main\nimport \"fmt\"\nfunc main(){ fmt.Println(\"hello from go\") }\n")));
        MinimalImage rust = inline("hello-rust", Language.Name.RUST,
                Map.of("main.rs", "fn main() { println!(\"hello from rust\"); }\n"));
        rust.getSpec().getImage().setArgs(IMAGE_ARGS); // the program ignores them
        create(rust);
        create(fromGit(gitUrl));
        create(missingCommit(gitUrl));
        create(dynamicProgram());
        create(inline("broken", Language.Name.C, Map.of("main.c", "int main(void) { return 0 }\n")));
        MinimalImage denied = inline("denied", Language.Name.C, Map.of("main.c", "int main(void){return 0;}\n"));
        denied.getSpec().getImage().setName(env.authRegistry() + "/e2e/denied:1");
        denied.getSpec().getImage().setPushSecret(WRONG_PUSH_SECRET);
        create(denied);
        MinimalImage unwatched = Resources.helloC("unwatched", env.registry() + "/e2e/unwatched:1");
        unwatched.getMetadata().setNamespace(env.unwatchedNamespace());
        client.resource(unwatched).create();
    }

    @AfterAll
    void tearDown() {
        if (gitServer != null) {
            try {
                gitServer.stop();
            } catch (IOException e) {
                System.err.println("stopping the git server: " + e);
            }
        }
        if (gitRepo != null) {
            gitRepo.close();
        }
        if (client != null) {
            client.persistentVolumes().withName(cachePersistentVolume()).delete();
            client.close();
        }
        if (cacheDir != null) {
            Processes.run(Duration.ofMinutes(1), List.of("rm", "-rf", cacheDir.toString()));
        }
    }

    // ------------------------------------------------------------------------------------------- builds that work

    @Test
    @Order(1)
    void readmeExampleBecomesReadyAndKubectlWaitReturns() throws Exception {
        Processes.Result wait = kubectl(Duration.ofMinutes(9), "wait", "--for=condition=Ready", "mimg/hello",
                "--timeout=8m");
        assertThat(wait.exitCode()).as(wait.stderr() + describe("hello")).isZero();
        assertThat(wait.stdout()).contains("condition met");
        MinimalImageStatus status = awaitReady("hello");
        assertThat(status.getLink().getVerdict()).isEqualTo("Static");
        assertThat(status.getLink().getLibc()).isEqualTo("musl");
        assertPushedImageRuns(status, "e2e/hello", "1", "/app/app", "hello from scratch\n");
        System.out.println("STATUS hello (README example):\n" + Serialization.asYaml(status));
    }

    @Test
    @Order(1)
    void theSbomOfAReadyImageIsFoundFromItsDigestThroughTheReferrersTag() throws Exception {
        MinimalImageStatus status = awaitReady("hello");
        String digest = status.getDigest();
        // the cluster's registry (docker-registry 2.8) has no referrers API: the referrers tag schema lists the SBOM
        JsonNode index = JSON.readTree(registry.manifest("e2e/hello", digest.replace(':', '-'),
                "application/vnd.oci.image.index.v1+json").orElseThrow(() -> new AssertionError(
                        "no referrers tag for " + digest + describe("hello"))));
        JsonNode entry = null;
        for (JsonNode candidate : index.path("manifests")) {
            if ("application/vnd.cyclonedx+json".equals(candidate.path("artifactType").asText())) {
                entry = candidate;
            }
        }
        assertThat(entry).as(index.toString()).isNotNull();
        JsonNode referrer = JSON.readTree(registry.manifest("e2e/hello", entry.path("digest").asText(),
                entry.path("mediaType").asText()).orElseThrow());
        assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(digest);
        String document = referrer.path("layers").get(0).path("digest").asText();
        assertThat(status.getSbom().getDigest()).isEqualTo(document);
        assertThat(status.getSbom().getFormat()).isEqualTo("CycloneDX 1.6");
        byte[] sbom = registry.blob("e2e/hello", document);
        assertThat(new org.cyclonedx.parsers.JsonParser().validate(sbom, org.cyclonedx.Version.VERSION_16)).isEmpty();
        assertThat(JSON.readTree(sbom).path("components").size()).isEqualTo(status.getSbom().getComponents());
    }

    @Test
    @Order(2)
    void cppGoAndRustBuildStaticImagesThatRun() throws Exception {
        assertPushedImageRuns(awaitReady("hello-cpp"), "e2e/hello-cpp", "1", "/app/app", "hello from c++ 3\n");
        MinimalImageStatus go = awaitReady("hello-go");
        assertThat(go.getLink().getLibc()).isEqualTo("none");
        assertPushedImageRuns(go, "e2e/hello-go", "1", "/app/app", "hello from go\n");
        MinimalImageStatus rust = awaitReady("hello-rust");
        assertThat(rust.getLink().getVerdict()).isIn("Static", "StaticPie");
        assertPushedImageRuns(rust, "e2e/hello-rust", "1", "/app/app", "hello from rust\n");
    }

    @Test
    @Order(3)
    void gitSourceOverSshIsBuiltAtItsCommitWithInTreeSymlinksKept() throws Exception {
        MinimalImageStatus status = awaitReady("from-git");
        assertThat(status.getSourceCommit()).isEqualTo(gitCommit.name());
        assertPushedImageRuns(status, "e2e/from-git", "1", "/app/app", "hello from git\n");
    }

    @Test
    @Order(4)
    void kubectlGetShowsThePrinterColumnsInOrder() {
        awaitReady("hello");
        Processes.Result get = kubectl(Duration.ofSeconds(30), "get", "mimg", "hello");
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        List<String> header = List.of(get.stdout().lines().findFirst().orElseThrow().trim().split("\\s+"));
        assertThat(header).containsExactly("NAME", "READY", "REASON", "STATIC", "SIZE", "DIGEST", "AGE");
        List<String> row = List.of(get.stdout().lines().skip(1).findFirst().orElseThrow().trim().split("\\s+"));
        MinimalImageStatus status = get("hello").getStatus();
        assertThat(row.subList(0, 6)).containsExactly("hello", "True", "Built", "Static",
                String.valueOf(status.getCompressedSize()), status.getShortDigest());
    }

    // ------------------------------------------------------------------------------------------- builds that fail

    @Test
    @Order(5)
    void dynamicProgramIsRefusedWithItsNeededLibraries() {
        MinimalImageStatus status = awaitFinished("dynamic");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("DynamicDependency");
        assertThat(status.getLink().getNeeded()).contains("libc.so.6");
        assertThat(ready(status).getMessage()).contains("libc.so.6").contains("spec.verify.linkPolicy");
        assertThat(status.getDigest()).isNull();
    }

    @Test
    @Order(6)
    void compileErrorIsReportedWithTheCompilersErrorLineAndALogsHint() {
        MinimalImageStatus status = awaitFinished("broken");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("CompileFailed");
        assertThat(ready(status).getMessage()).containsPattern("main\\.c:1:\\d+: error: expected .;. before")
                .contains("kubectl logs -n " + env.namespace() + " " + status.getBuilderPod() + " -c compile");
    }

    @Test
    @Order(7)
    void wrongPushSecretIsPushUnauthorizedAndTheSecretLeaksNowhere() {
        MinimalImageStatus status = awaitFinished("denied");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("PushUnauthorized");
        String everything = Serialization.asYaml(get("denied")) + images.events("denied") + podLogs(status.getBuilderPod())
                + operatorLogs();
        String auth = Base64.getEncoder().encodeToString((env.authUser() + ":" + wrongPassword)
                .getBytes(StandardCharsets.UTF_8));
        for (String secret : List.of(wrongPassword, auth, env.authPassword())) {
            assertThat(everything).doesNotContain(secret);
        }
    }

    /**
     * The fetch step runs beside the compile step, which waits for its exit code: a fetch that fails ends the build
     * as SourceFetchFailed with the fetch's own message, the compile step runs nothing, and no step is left waiting.
     */
    @Test
    @Order(7)
    void aCommitTheRepositoryLacksIsSourceFetchFailedAndTheBuildNeverRuns() {
        MinimalImageStatus status = awaitFinished("missing-commit");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("SourceFetchFailed");
        assertThat(ready(status).getMessage()).contains("no branch, tag or commit named " + MISSING_COMMIT)
                .contains("kubectl logs -n " + env.namespace() + " " + status.getBuilderPod() + " -c fetch")
                .as("the fetch's own error, not its log's first lines").doesNotContain("JAVA_TOOL_OPTIONS");
        assertThat(status.getDigest()).isNull();
        String compileLog = client.pods().inNamespace(env.namespace()).withName(status.getBuilderPod())
                .inContainer(BuilderLayout.COMPILE_CONTAINER).getLog();
        assertThat(compileLog).contains("the fetch step failed (exit code 7): nothing to build");
        Pod pod = client.pods().inNamespace(env.namespace()).withName(status.getBuilderPod()).get();
        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        // the status is written the moment the fetch's end decides it; the packer, waiting for the compile step's
        // exit code, ends on its own or by the deadline the operator lowered (to 1 s): a few seconds, never its timeout
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(client.pods().inNamespace(env.namespace()).withName(status.getBuilderPod()).get()
                        .getStatus().getContainerStatuses()).as("every step ended").allSatisfy(c ->
                                assertThat(c.getState().getTerminated()).as(c.getName()).isNotNull()));
    }

    @Test
    @Order(8)
    void specErrorsThatOnlyCelCouldRejectBecomeInvalidSpec() {
        MinimalImage both = Resources.helloC("both", env.registry() + "/e2e/both:1");
        Source.Git git = new Source.Git();
        git.setUrl("https://example.org/x.git");
        both.getSpec().getSource().setGit(git);
        both.getMetadata().setNamespace(env.namespace());
        if (serverHasCel()) {
            assertRejected(both, "exactly one of source.git or source.inline");
            return;
        }
        // Kubernetes < 1.25 drops x-kubernetes-validations: the planner re-checks every rule
        client.resource(both).create();
        MinimalImageStatus status = awaitFinished("both");
        assertThat(ready(status).getReason()).isEqualTo("InvalidSpec");
        assertThat(ready(status).getMessage()).contains("exactly one of spec.source.git or spec.source.inline");
        assertThat(ownedPods("both")).isEmpty();
    }

    @Test
    @Order(9)
    void schemaRulesRejectAtAdmission() {
        MinimalImage upper = Resources.helloC("upper", "registry.example/UPPER:1");
        upper.getMetadata().setNamespace(env.namespace());
        assertRejected(upper, "spec.image.name");
    }

    // ------------------------------------------------------------------------------------------- the pod as admitted

    @Test
    @Order(10)
    void builderPodRunsRestrictedAsAdmittedWithoutAServiceAccountToken() {
        String podName = awaitReady("hello").getBuilderPod();
        Pod pod = client.pods().inNamespace(env.namespace()).withName(podName).get();
        assertThat(pod).as("the finished builder pod is kept for its logs").isNotNull();
        var podSecurity = pod.getSpec().getSecurityContext();
        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
        assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
        all.addAll(pod.getSpec().getContainers());
        for (Container c : all) {
            var sc = c.getSecurityContext();
            assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
            assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
            assertThat(c.getVolumeMounts()).as(c.getName() + ": no service-account token is mounted")
                    .noneMatch(m -> m.getMountPath().startsWith("/var/run/secrets/kubernetes.io"));
        }
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getController()).isTrue())
                .satisfies(o -> assertThat(o.getName()).isEqualTo("hello"));
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    @Test
    @Order(11)
    void theChartsNamespaceSettingIsHonoured() {
        awaitReady("hello"); // the operator is up and reconciling its own namespaces
        MinimalImage unwatched = client.resources(MinimalImage.class).inNamespace(env.unwatchedNamespace())
                .withName("unwatched").get();
        assertThat(unwatched.getStatus() == null || unwatched.getStatus().getPhase() == null)
                .as("a namespace outside watchNamespaces is never reconciled: " + unwatched.getStatus()).isTrue();
        assertThat(client.pods().inNamespace(env.unwatchedNamespace()).list().getItems()).isEmpty();
    }

    @Test
    @Order(12)
    void aSpecEditMidBuildSupersedesTheRunningBuild() throws Exception {
        MinimalImage slow = slowBuild("edited", "first", 40);
        create(slow);
        String firstPod = awaitCompileRunning("edited");
        MinimalImage edited = get("edited");
        edited.getSpec().getSource().getInline().setFiles(Map.of("main.c", program("second")));
        edited.getSpec().getLanguage().getCustom().setScript(compileScript(0));
        client.resource(edited).update();
        // its compile step's sh -c ignores SIGTERM as PID 1: with the default grace of 30 s it would run 30 s more
        // (measured: gone after 41 s; with the builder pods' 2 s, 11 s). When the pod object goes after its containers
        // stopped is the kubelet's status sync (3 to 21 s measured), so the bound on that is looser.
        awaitContainersStopped(env.namespace(), firstPod, Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> client.pods().inNamespace(env.namespace()).withName(firstPod).get() == null);
        MinimalImageStatus status = awaitReady("edited");
        assertThat(status.getBuilderPod()).isNotEqualTo(firstPod);
        assertThat(status.getObservedGeneration()).isEqualTo(2L);
        assertPushedImageRuns(status, "e2e/edited", "1", "/app/app", "second\n");
    }

    @Test
    @Order(13)
    void theOperatorRestartedMidBuildAdoptsTheBuild() throws Exception {
        create(slowBuild("adopted", "adopted", 25));
        String builderPod = awaitCompileRunning("adopted");
        List<Pod> operators = operatorPods();
        assertThat(operators).hasSize(1);
        String oldOperator = operators.get(0).getMetadata().getName();
        client.pods().inNamespace(env.operatorNamespace()).withName(oldOperator).delete();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> operatorPods().stream()
                .anyMatch(p -> !p.getMetadata().getName().equals(oldOperator) && isReady(p)));
        MinimalImageStatus status = awaitReady("adopted");
        assertThat(status.getBuilderPod()).isEqualTo(builderPod);
        assertThat(ownedPods("adopted")).extracting(p -> p.getMetadata().getName()).containsExactly(builderPod);
        assertPushedImageRuns(status, "e2e/adopted", "1", "/app/app", "adopted\n");
    }

    /**
     * docs/installation.md promises {@code --set replicas=2}: a standby with warm caches and no duplicate builds,
     * taking over when the leader goes. Two replicas, the leader deleted mid-build: one builder pod, one
     * BuildStarted, the build adopted by the new holder of the Lease.
     */
    @Test
    @Order(13)
    void withTwoReplicasOnlyTheLeaderBuildsAndTheStandbyTakesOverMidBuild() throws Exception {
        String deployment = operatorDeployment().getMetadata().getName();
        client.apps().deployments().inNamespace(env.operatorNamespace()).withName(deployment).scale(2);
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> operatorPods().stream().filter(ClusterIT::isReady).count() == 2);
            create(slowBuild("two-replicas", "two replicas", 25));
            String builderPod = awaitCompileRunning("two-replicas");
            String leader = leaseHolder();
            assertThat(operatorPods()).extracting(p -> p.getMetadata().getName()).contains(leader);
            Instant deleted = Instant.now();
            client.pods().inNamespace(env.operatorNamespace()).withName(leader).delete();
            // the old JVM ends at once on SIGTERM, not killed when its grace runs out (30 s: the old hang), so its
            // container stops running within 20 s of the delete. When the pod object goes is the kubelet's affair
            // (its status sync: 3 to 21 s after the exit here, more on a loaded node), so the test watches the
            // container. Its exit code is read when the kubelet shows it (not once it removed the container)
            List<ContainerStateTerminated> ended = awaitContainersStopped(env.operatorNamespace(), leader,
                    Duration.ofSeconds(20));
            assertThat(ended).as("the old leader's JVM exited on SIGTERM, not killed").allSatisfy(done ->
                    assertThat(done.getExitCode()).as(done.toString()).isEqualTo(143));
            // it released the Lease as it stopped: the standby takes it at its next try (2 to 4.4 s), not when it
            // expires (15 s after the last renewal, at most 2 s before the delete)
            Duration leaseBound = Duration.ofSeconds(10).minus(Duration.between(deleted, Instant.now()));
            await().atMost(leaseBound.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : leaseBound)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> leaseHolderIfAny().filter(holder -> !holder.equals(leader)).isPresent());

            MinimalImageStatus status = awaitReady("two-replicas");
            assertThat(leaseHolder()).as("the standby holds the Lease").isNotEqualTo(leader);
            assertThat(status.getBuilderPod()).isEqualTo(builderPod);
            assertThat(status.getAttempts()).isEqualTo(1);
            assertThat(ownedPods("two-replicas")).extracting(p -> p.getMetadata().getName()).containsExactly(builderPod);
            assertThat(client.v1().events().inNamespace(env.namespace()).list().getItems().stream()
                    .filter(e -> "two-replicas".equals(e.getInvolvedObject().getName()))
                    .filter(e -> "BuildStarted".equals(e.getReason())).mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
                    .sum()).as(images.events("two-replicas")).isEqualTo(1);
            assertPushedImageRuns(status, "e2e/two-replicas", "1", "/app/app", "two replicas\n");
        } finally {
            client.apps().deployments().inNamespace(env.operatorNamespace()).withName(deployment).scale(1);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> operatorPods().size() == 1 && operatorPods().stream().allMatch(ClusterIT::isReady));
        }
    }

    /**
     * Waits until no container of a deleted pod runs any more (or the pod is gone) and returns the terminated states
     * seen on the last look. A container the kubelet already removed is reported as waiting, with no exit code to
     * read; a pod gone already shows none either.
     */
    List<ContainerStateTerminated> awaitContainersStopped(String namespace, String pod, Duration within) {
        AtomicReference<List<ContainerStateTerminated>> ended = new AtomicReference<>(List.of());
        await().atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
            Pod current = client.pods().inNamespace(namespace).withName(pod).get();
            if (current == null) {
                return true;
            }
            List<ContainerStatus> containers = current.getStatus().getContainerStatuses();
            ended.set(containers.stream().map(c -> c.getState().getTerminated()).filter(Objects::nonNull).toList());
            return containers.stream().noneMatch(c -> c.getState().getRunning() != null);
        });
        return ended.get();
    }

    /** The replica that reconciles: the holder of the chart's leader-election Lease (identity: its pod name). */
    String leaseHolder() {
        return leaseHolderIfAny().orElseThrow(() -> new AssertionError("no holder of a lease in "
                + env.operatorNamespace()));
    }

    /** Empty between a release and the next leader's take-over. */
    java.util.Optional<String> leaseHolderIfAny() {
        List<String> holders = client.leases().inNamespace(env.operatorNamespace()).list().getItems().stream()
                .map(lease -> lease.getSpec().getHolderIdentity()).filter(h -> h != null && !h.isEmpty()).toList();
        assertThat(holders).as("held leases in " + env.operatorNamespace()).hasSizeLessThanOrEqualTo(1);
        return holders.stream().findFirst();
    }

    io.fabric8.kubernetes.api.model.apps.Deployment operatorDeployment() {
        List<io.fabric8.kubernetes.api.model.apps.Deployment> operators = client.apps().deployments()
                .inNamespace(env.operatorNamespace()).withLabel("app.kubernetes.io/component", "operator").list()
                .getItems();
        assertThat(operators).as("the chart's Deployment in " + env.operatorNamespace()).hasSize(1);
        return operators.get(0);
    }

    @Test
    @Order(14)
    void deletingTheResourceCollectsItsChildren() {
        awaitReady("hello-go");
        assertThat(ownedPods("hello-go")).isNotEmpty();
        awaitNoSourceConfigMaps("hello-go"); // the operator deleted it when the build ended
        client.resources(MinimalImage.class).inNamespace(env.namespace()).withName("hello-go").delete();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> ownedPods("hello-go")
                .isEmpty());
    }


    // ------------------------------------------------------------------------------------------- real projects

    @Test
    @Order(15)
    void fixtureProjectsOfEveryBuildSystemBuildFromGitAndRunFromAnEmptyRoot() throws Exception {
        for (String project : Fixtures.PROJECTS) {
            MinimalImageStatus status = awaitReady("fixture-" + project);
            assertThat(status.getLink().getVerdict()).isIn("Static", "StaticPie");
            assertPushedImageRuns(status, "e2e/fixture-" + project, "1", "/app/app",
                    Fixtures.fact(project, "output") + "\n");
            System.out.printf("cluster fixture %s: %d B binary, %d B compressed, %s -> %s%n", project,
                    status.getBinarySize(), status.getCompressedSize(), status.getStartTime(), status.getCompletionTime());
        }
    }

    @Test
    @Order(16)
    void theSameCommitBuiltTwiceHasTheSameDigestAndSaysWhereItCameFrom() throws Exception {
        MinimalImageStatus first = awaitReady("fixture-make-two-programs");
        MinimalImageStatus again = awaitReady("fixture-again");
        assertThat(again.getDigest()).isEqualTo(first.getDigest());
        JsonNode annotations = JSON.readTree(registry.manifest("e2e/fixture-again", "again")).get("annotations");
        assertThat(annotations.get("org.opencontainers.image.source").asText()).isEqualTo(gitUrl); // no password in it
        assertThat(annotations.get("org.opencontainers.image.revision").asText()).isEqualTo(gitCommit.name());
        assertThat(annotations.get("org.opencontainers.image.created").asText())
                .isEqualTo(Instant.ofEpochSecond(gitCommit.getCommitTime()).toString());
    }

    @Test
    @Order(17)
    void imageArgsThatLookLikeOptionsReachTheImageConfigAsWritten() throws Exception {
        awaitReady("hello-rust");
        JsonNode cmd = registry.config("e2e/hello-rust", "1").at("/config/Cmd");
        assertThat(JSON.convertValue(cmd, List.class)).isEqualTo(IMAGE_ARGS);
    }

    @Test
    @Order(18)
    void languageEnvReachesTheCompileStepLiterally() throws Exception {
        assertPushedImageRuns(awaitReady("literal-env"), "e2e/literal-env", "1", "/app/app", ENV_MESSAGE + "\n");
    }

    @Test
    @Order(19)
    void envValueFromASecretIsRejectedAtAdmission() {
        MinimalImage fromSecret = Resources.helloC("from-secret", env.registry() + "/e2e/from-secret:1");
        fromSecret.getMetadata().setNamespace(env.namespace());
        LiteralEnvVar token = new LiteralEnvVar("TOKEN", null);
        token.setValueFrom(Map.of("secretKeyRef", Map.of("name", GIT_SECRET, "key", "ssh-privatekey")));
        fromSecret.getSpec().getLanguage().setEnv(List.of(token));
        // a 1.20 server names the field without the index
        assertRejected(fromSecret, "spec.language.env.valueFrom in body should have at most 0 properties");
        fromSecret.getSpec().getLanguage().setEnv(List.of());
        fromSecret.getSpec().getImage().setEnv(List.of(token));
        assertRejected(fromSecret, "spec.image.env.valueFrom in body should have at most 0 properties");
    }

    @Test
    @Order(20)
    void theBuildCacheClaimHoldsTheGoBuildCacheOfItsToolchainImage() throws Exception {
        awaitReady("fixture-go-vendored");
        Path goBuild = cacheDir.resolve(Path.of(BuildCaches.directory(env.toolchainImage())).getFileName())
                .resolve("go-build");
        try (var entries = Files.list(goBuild)) {
            assertThat(entries.count()).as("entries in " + goBuild).isPositive();
        }
    }

    @Test
    @Order(21)
    void aPodThatCannotBeScheduledFailsAfterItsStartTimeoutQuotingTheScheduler() {
        MinimalImageStatus status = awaitFinished("unschedulable");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("Unschedulable");
        assertThat(ready(status).getMessage()).contains("was not scheduled within spec.build.startTimeout (60s)")
                .contains("node(s) didn't match");
        await().atMost(Duration.ofSeconds(60)).until(() -> ownedPods("unschedulable").isEmpty());
    }

    @Test
    @Order(22)
    void aSecretWithoutTheKeysItsUrlNeedsIsRefusedBeforeAnyPod() {
        MinimalImageStatus status = awaitFinished("keyless-git");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("GitSecretInvalid");
        assertThat(ready(status).getMessage()).contains("Secret " + WRONG_PUSH_SECRET + " has no key ssh-privatekey,"
                + " known_hosts");
        assertThat(ownedPods("keyless-git")).isEmpty();
    }


    // ------------------------------------------------------------------------------------------- issue 8

    @Test
    @Order(23)
    void aGitSecretWithoutTheHostAnnotationIsRefusedUntilAnnotated() throws Exception {
        MinimalImageStatus refused = awaitFinished("unannotated-git");
        assertThat(ready(refused).getReason()).as(Serialization.asYaml(refused)).isEqualTo("GitSecretNotAllowed");
        assertThat(ready(refused).getMessage()).contains("Secret " + UNANNOTATED_GIT_SECRET + " may not be sent to")
                .contains(GitHosts.ANNOTATION + " is missing or empty");
        assertThat(ownedPods("unannotated-git")).isEmpty();
        // annotating the Secret is the whole fix: the operator watches the Secrets resources name, no spec edit
        client.secrets().inNamespace(env.namespace()).withName(UNANNOTATED_GIT_SECRET)
                .edit(s -> new SecretBuilder(s).editMetadata().addToAnnotations(GitHosts.ANNOTATION, gitHosts)
                        .endMetadata().build());
        MinimalImageStatus status = awaitReadyTrue("unannotated-git", Duration.ofMinutes(4));
        assertThat(get("unannotated-git").getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(status.getSourceCommit()).isEqualTo(gitCommit.name());
        assertThat(ownedPods("unannotated-git")).extracting(p -> p.getMetadata().getName())
                .contains(status.getBuilderPod());
        assertPushedImageRuns(status, "e2e/unannotated-git", "1", "/app/app", "hello from git\n");
    }

    @Test
    @Order(24)
    void aTokenBearingHttpsUrlIsRejectedAtAdmission() {
        MinimalImage token = Resources.helloC("token-url", env.registry() + "/e2e/token-url:1");
        token.getMetadata().setNamespace(env.namespace());
        Source.Git git = new Source.Git();
        git.setUrl("https://builder:s3cr3t-token@" + env.gitHost() + "/repo.git");
        token.getSpec().getSource().setInline(null);
        token.getSpec().getSource().setGit(git);
        // the 1.20 server quotes the schema's pattern
        assertRejected(token, "spec.source.git.url in body should match '" + Source.Git.URL_PATTERN + "'");
        assertThat(get("token-url")).isNull();
    }

    @Test
    @Order(25)
    void anInlineEditOfABuiltResourceReachesTheNewPodAndImage() throws Exception {
        MinimalImageStatus first = awaitReady("inline-edit");
        assertPushedImageRuns(first, "e2e/inline-edit", "1", "/app/app", "before the edit\n");
        String firstSource = sourceVolume(first.getBuilderPod());
        awaitNoSourceConfigMaps("inline-edit"); // an ended build keeps no copy of its sources
        MinimalImage edited = get("inline-edit");
        edited.getSpec().getSource().getInline().setFiles(Map.of("main.c", program("after the edit")));
        client.resource(edited).update();
        MinimalImageStatus second = awaitReady("inline-edit");
        assertThat(second.getObservedGeneration()).isEqualTo(2L);
        assertThat(second.getBuilderPod()).isNotEqualTo(first.getBuilderPod());
        assertThat(second.getDigest()).isNotEqualTo(first.getDigest());
        // a directory of its own: the helper's OCI layout for this repository already holds the first image
        PushedImages.assertRunsFromEmptyRoot(registry, work.resolve("after-edit"), second, "e2e/inline-edit", "1",
                "/app/app", "after the edit\n");
        // the new inputs got their own source ConfigMap, gone too once their build ended
        assertThat(sourceVolume(second.getBuilderPod())).startsWith("inline-edit-src-").isNotEqualTo(firstSource);
        awaitNoSourceConfigMaps("inline-edit");
    }

    /** The source ConfigMap that builder pod mounted. */
    String sourceVolume(String builderPod) {
        return client.pods().inNamespace(env.namespace()).withName(builderPod).get().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null && v.getConfigMap().getName().contains("-src-"))
                .map(v -> v.getConfigMap().getName()).findFirst().orElseThrow();
    }

    void awaitNoSourceConfigMaps(String name) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> sourceConfigMaps(name).isEmpty());
    }

    @Test
    @Order(26)
    void changingSpecRebuildRebuildsTheSameInputsToTheSameDigest() {
        MinimalImageStatus first = awaitReady("rebuilt");
        MinimalImage resource = get("rebuilt");
        resource.getSpec().setRebuild("2026-11-30T20:00:00Z");
        client.resource(resource).update();
        MinimalImageStatus again = awaitReady("rebuilt");
        assertThat(again.getObservedGeneration()).isEqualTo(2L);
        assertThat(again.getBuilderPod()).as("a new builder pod").isNotEqualTo(first.getBuilderPod());
        assertThat(again.getBuildHash()).isNotEqualTo(first.getBuildHash());
        assertThat(ownedPods("rebuilt")).extracting(p -> p.getMetadata().getName()).contains(again.getBuilderPod());
        assertThat(again.getDigest()).as("a reproducible build").isEqualTo(first.getDigest());
    }

    @Test
    @Order(27)
    void aVanishedBuilderPodIsRetriedOnANewPod() throws Exception {
        create(slowBuild("retried", "retried", 20));
        String firstPod = awaitCompileRunning("retried");
        client.pods().inNamespace(env.namespace()).withName(firstPod).delete();
        MinimalImageStatus retrying = awaitReadyReason("retried", "Retrying", Duration.ofMinutes(1));
        assertThat(ready(retrying).getMessage()).as(Serialization.asYaml(retrying))
                .containsPattern("^retrying in \\d+s after BuilderPodLost \\(attempt 1 of \\d+\\): builder pod "
                        + firstPod + " disappeared before finishing");
        assertThat(retrying.getAttempts()).isEqualTo(1);
        assertThat(retrying.getNextAttemptTime()).isNotNull();
        assertThat(retrying.getPhase()).isEqualTo(MinimalImageStatus.Phase.Pending);
        String secondPod = firstPod + "-2";
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> ownedPods("retried")
                .stream().anyMatch(p -> secondPod.equals(p.getMetadata().getName())));
        MinimalImageStatus status = awaitReady("retried");
        assertThat(status.getAttempts()).isEqualTo(2);
        assertThat(status.getBuilderPod()).isEqualTo(secondPod);
        assertThat(status.getNextAttemptTime()).isNull();
        assertThat(images.events("retried")).contains("BuildRetrying");
        assertPushedImageRuns(status, "e2e/retried", "1", "/app/app", "retried\n");
    }

    @Test
    @Order(28)
    void anImagePullBackOffThatClearsEndsReady() throws Exception {
        // a tag no run has pushed before, so neither the registry nor the node has it
        String lateImage = env.registry() + "/e2e/late-toolchain:t" + System.currentTimeMillis();
        MinimalImage late = inline("late-toolchain", Language.Name.CUSTOM, Map.of("main.c", program("late toolchain")));
        Language.Custom custom = new Language.Custom();
        custom.setImage(lateImage);
        custom.setScript(compileScript(0));
        late.getSpec().getLanguage().setCustom(custom);
        create(late);
        MinimalImageStatus waiting = awaitReadyReason("late-toolchain", "ImagePullBackOff", Duration.ofMinutes(3));
        assertThat(waiting.getPullFailingSince()).as(Serialization.asYaml(waiting)).isNotNull();
        assertThat(waiting.getPhase()).isEqualTo(MinimalImageStatus.Phase.Building);
        assertThat(ready(waiting).getMessage()).contains(lateImage).contains("spec.build.pullTimeout (300s)");
        String pod = waiting.getBuilderPod();
        // the image appears: the same toolchain under the missing tag, copied inside the cluster's registry
        Instant pushed = Instant.now();
        Processes.run(Duration.ofMinutes(3), List.of("skopeo", "copy", "-q", "--src-tls-verify=false",
                "--dest-tls-verify=false", "docker://" + env.toolchainImage(), "docker://" + lateImage))
                .requireSuccess("skopeo copy the toolchain image to " + lateImage);
        // the kubelet's own back-off (10 s doubling) decides when it pulls again; the pod is left alone
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            MinimalImageStatus s = get("late-toolchain").getStatus();
            return s.getPhase() == MinimalImageStatus.Phase.Succeeded || s.getPhase() == MinimalImageStatus.Phase.Failed;
        });
        MinimalImageStatus status = awaitReady("late-toolchain");
        System.out.printf("cluster ImagePullBackOff: failing since %s, tag pushed %s, Ready %s later%n",
                waiting.getPullFailingSince(), pushed, Duration.between(pushed, Instant.now()));
        assertThat(status.getBuilderPod()).as("the same pod pulled again").isEqualTo(pod);
        assertThat(status.getPullFailingSince()).isNull();
        assertThat(status.getAttempts()).isEqualTo(1);
        assertPushedImageRuns(status, "e2e/late-toolchain", "1", "/app/app", "late toolchain\n");
    }

    @Test
    @Order(30)
    void aDebugTagPushesATwinWithAShellAndLeavesTheImageAsItWas() throws Exception {
        MinimalImage twin = inline("twin", Language.Name.C, Map.of("main.c", program("hello twin")));
        twin.getSpec().getImage().setDebugTag("1-debug");
        create(twin);
        MinimalImageStatus status = awaitReady("twin");
        assertPushedImageRuns(status, "e2e/twin", "1", "/app/app", "hello twin\n");
        String twinDigest = registry.dockerContentDigest("e2e/twin", "1-debug").orElseThrow();
        assertThat(status.getDebugImage()).isEqualTo(env.registry() + "/e2e/twin@" + twinDigest);
        assertThat(twinDigest).isNotEqualTo(status.getDigest());
        // the builder image's busybox: a shell and ls in the twin, from a root holding nothing but its layers
        Path rootfs = dev.minimalimage.testsupport.Skopeo.pullRootfs(status.getDebugImage(), work.resolve("pull-twin"));
        var ran = dev.minimalimage.testsupport.Skopeo.runInRoot(rootfs, "65532", "/bin/sh", "-c", "ls /app");
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        assertThat(ran.stdout()).isEqualTo("app\n");
    }

    @Test
    @Order(40)
    void bundleModeShipsAGlibcCppProgramWithTheToolchainImagesLibrariesAndRefusesAMissingOne() throws Exception {
        MinimalImage bundled = inline("bundle-cpp", Language.Name.CPP, Map.of("main.cpp", """
                #include <iostream>
                #include <netdb.h>
                int main() {
                    addrinfo *found = nullptr;
                    int lookup = getaddrinfo("localhost", nullptr, nullptr, &found);
                    std::cout << "bundled c++, localhost " << (lookup == 0 ? "found" : gai_strerror(lookup)) << "\\n";
                }
                """));
        bundled.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.BUNDLE);
        SmokeTestSpec runsInThePod = new SmokeTestSpec(); // the real kubelet starts the bundled loader from the image
        runsInThePod.setOutputPattern("^bundled c\\+\\+, localhost found$");
        bundled.getSpec().getVerify().setSmokeTest(runsInThePod);
        MinimalImage missing = inline("bundle-missing", Language.Name.C, Map.of("main.c", program("never packed")));
        missing.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.BUNDLE);
        missing.getSpec().getVerify().setExtraLibraries(List.of("libnot-in-the-toolchain.so.9"));
        create(bundled);
        create(missing);

        // the libraries come from the toolchain image (Debian's glibc and libstdc++), collected where the compile ran
        MinimalImageStatus status = awaitReady("bundle-cpp");
        System.out.println("cluster bundle-cpp status:\n" + Serialization.asYaml(status));
        assertThat(status.getLink().getVerdict()).isEqualTo("Dynamic");
        assertThat(status.getLink().getBundled()).anyMatch(p -> p.endsWith("/libstdc++.so.6"))
                .anyMatch(p -> p.endsWith("/libc.so.6")).contains("/etc/nsswitch.conf", "/etc/hosts");
        assertThat(status.getLink().getBundleBytes()).isPositive();
        assertThat(status.getConditions()).filteredOn(c -> "LinkVerified".equals(c.getType())).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("Bundled"));
        assertThat(status.getConditions()).filteredOn(c -> "SmokeTested".equals(c.getType())).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("SmokeTestPassed"));
        assertPushedImageRuns(status, "e2e/bundle-cpp", "1", "/app/app", "bundled c++, localhost found\n");

        MinimalImageStatus refused = awaitFinished("bundle-missing");
        assertThat(ready(refused).getReason()).as(Serialization.asYaml(refused)).isEqualTo("BundleIncomplete");
        assertThat(ready(refused).getMessage()).contains("libnot-in-the-toolchain.so.9")
                .contains("kubectl logs -n " + env.namespace() + " " + refused.getBuilderPod() + " -c compile");
        assertThat(refused.getDigest()).as("nothing half-built is pushed").isNull();
    }

    @Test
    @Order(29)
    void theConcurrencyCapHoldsForABurstOfBuilds() throws Exception {
        int cap = maxConcurrentBuilds();
        assertThat(cap).as("the tier installs a cap below the burst").isBetween(1, BURST - 1);
        // start from an idle operator, so the figures are the burst's own
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> activeBuilderPods()
                .isEmpty());
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= BURST; i++) {
            names.add(String.format("burst-%02d", i));
        }
        Instant start = Instant.now();
        // every change of every builder pod, not samples: a pod over the cap for a moment is seen too
        ActiveBuilderPods watched = new ActiveBuilderPods(cap, start);
        io.fabric8.kubernetes.client.Watch watch = client.pods().inNamespace(env.namespace())
                .withLabelSelector(BuilderLayout.SELECTOR).watch(watched);
        try {
            for (String name : names) {
                create(inline(name, Language.Name.C, Map.of("main.c", program(name + " says hello"))));
            }
            java.util.Set<String> queued = new java.util.TreeSet<>();
            java.util.Set<String> done = new java.util.TreeSet<>();
            int queuedAtOnce = 0;
            Instant deadline = start.plus(Duration.ofMinutes(8));
            while (done.size() < BURST) {
                int queuedNow = 0;
                for (MinimalImage r : client.resources(MinimalImage.class).inNamespace(env.namespace()).list()
                        .getItems()) {
                    String name = r.getMetadata().getName();
                    MinimalImageStatus s = r.getStatus();
                    if (!names.contains(name) || s == null || s.getPhase() == null) {
                        continue;
                    }
                    if (s.getPhase() == MinimalImageStatus.Phase.Queued) {
                        queued.add(name);
                        queuedNow++;
                    }
                    if (s.getPhase() == MinimalImageStatus.Phase.Failed) {
                        throw new AssertionError(name + " failed:\n" + Serialization.asYaml(s) + describe(name));
                    }
                    if (s.getPhase() == MinimalImageStatus.Phase.Succeeded) {
                        done.add(name);
                    }
                }
                queuedAtOnce = Math.max(queuedAtOnce, queuedNow);
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("only " + done.size() + " of " + BURST + " Ready after 8 min"
                            + describe(names.get(0)));
                }
                Thread.sleep(1000);
            }
            Duration drain = Duration.between(start, Instant.now());
            System.out.printf("cluster concurrency cap %d: %d builds created at once, peak %d running builder pods,"
                    + " %d seen Queued (at most %d at once), all Ready after %ds%n", cap, BURST, watched.peak(),
                    queued.size(), queuedAtOnce, drain.toSeconds());
            assertThat(watched.overCap()).as("pod events after which more than " + cap + " builder pods ran")
                    .isEmpty();
            assertThat(watched.peak()).isEqualTo(cap);
            // every inline build shows Queued for a moment while its source ConfigMap is created, free slot or not:
            // the cap's own queue is the many builds waiting side by side
            assertThat(queuedAtOnce).as("resources in phase Queued at the same time").isGreaterThanOrEqualTo(BURST / 2);
            for (String name : names) {
                assertThat(ready(get(name).getStatus()).getStatus()).as(name).isEqualTo("True");
            }
            String last = names.get(BURST - 1);
            assertPushedImageRuns(get(last).getStatus(), "e2e/" + last, "1", "/app/app", last + " says hello\n");
        } finally {
            watch.close();
            for (String name : names) {
                client.resources(MinimalImage.class).inNamespace(env.namespace()).withName(name).delete();
            }
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> names.stream()
                .allMatch(n -> get(n) == null));
    }

    // ------------------------------------------------------------------------------------------- smoke test (issue 9)

    @Test
    @Order(31)
    void aSmokeTestRunsTheImageByDigestRestrictedAsNonRootAndPasses() throws Exception {
        MinimalImageStatus status = awaitReady("smoke-ok");
        saveStatusYaml("smoke-ok", "smoke-status-pass.yaml");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("Built");
        Condition smoke = condition(status, "SmokeTested");
        assertThat(smoke.getStatus()).isEqualTo("True");
        assertThat(smoke.getReason()).isEqualTo("SmokeTestPassed");
        assertThat(smoke.getMessage()).contains("exit code 0 as expected").contains("output matches");
        MinimalImageStatus.SmokeTestStatus result = status.getSmokeTest();
        assertThat(result.getExitCode()).isZero();
        // the image says root; Pod Security restricted forbids it, so the smoke test ran as 65532 and says so
        assertThat(registry.config("e2e/smoke-ok", "1").at("/config/User").asText()).isEqualTo("0");
        assertThat(result.getRunAsUser()).isEqualTo(65532L);
        assertThat(result.getRootReplaced()).isTrue();
        assertThat(result.getOutput()).isEqualTo("hello smoke uid=65532 arg=world");
        Pod pod = client.pods().inNamespace(env.namespace()).withName(result.getPod()).get();
        assertThat(pod).as("the smoke-test pod stays for its logs").isNotNull();
        assertThat(status.getImageRef()).endsWith("@" + status.getDigest());
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(status.getImageRef());
        assertThat(container.getArgs()).containsExactly("world");
        assertThat(container.getVolumeMounts()).as("the image has /tmp: a writable emptyDir there")
                .anyMatch(m -> "/tmp".equals(m.getMountPath()));
        // what the kubelet actually ran: containerd's repo digest of the pulled image
        assertThat(pod.getStatus().getContainerStatuses().get(0).getImageID()).endsWith(status.getDigest());
        assertSmokePodLockedDown(pod, "smoke-ok");
        var policy = client.network().v1().networkPolicies().inNamespace(env.namespace()).list().getItems().stream()
                .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(o -> "smoke-ok".equals(o.getName())))
                .findFirst().orElseThrow();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getEgress()).as("no egress rule: all egress denied").isEmpty();
    }

    @Test
    @Order(32)
    void aSmokeTestOfAProgramThatExits3FailsWithTheExitCodeAndTheOutputTail() {
        MinimalImageStatus status = awaitFinished("smoke-exit3");
        saveStatusYaml("smoke-exit3", "smoke-status-fail.yaml");
        assertThat(ready(status).getStatus()).as(Serialization.asYaml(status)).isEqualTo("False");
        assertThat(ready(status).getReason()).isEqualTo("SmokeTestFailed");
        Condition smoke = condition(status, "SmokeTested");
        assertThat(smoke.getStatus()).isEqualTo("False");
        assertThat(smoke.getReason()).isEqualTo("SmokeTestFailed");
        String pod = status.getSmokeTest().getPod();
        assertThat(smoke.getMessage()).contains("exit code 3, expected 0")
                .contains("kubectl logs -n " + env.namespace() + " " + pod + " -c smoke")
                .contains("about to fail").contains("smoke: giving up");
        assertThat(status.getSmokeTest().getExitCode()).isEqualTo(3);
        assertThat(status.getSmokeTest().getOutput()).contains("about to fail").contains("smoke: giving up");
        assertThat(status.getDigest()).as("the image was pushed; only its smoke test failed").isNotNull();
    }

    @Test
    @Order(33)
    void aDynamicBinaryForcedThroughWithAllowDynamicFailsItsSmokeTestWithNoSuchFile() {
        MinimalImageStatus status = awaitFinished("smoke-dynamic");
        Pod pod = client.pods().inNamespace(env.namespace()).withName(status.getSmokeTest().getPod()).get();
        // what this cluster's kubelet and runc report for a binary whose interpreter is not in the image
        System.out.println("SMOKE dynamic: container status as the kubelet reports it:\n"
                + Serialization.asYaml(pod.getStatus().getContainerStatuses()) + "STATUS smoke-dynamic:\n"
                + Serialization.asYaml(status));
        assertThat(status.getLink().getVerdict()).isEqualTo("Dynamic");
        assertThat(ready(status).getReason()).as(Serialization.asYaml(status)).isEqualTo("SmokeTestFailed");
        Condition smoke = condition(status, "SmokeTested");
        assertThat(smoke.getReason()).isEqualTo("SmokeTestFailed");
        assertThat(smoke.getMessage()).contains("no such file or directory").contains("dynamically linked");
        assertThat(status.getSmokeTest().getOutput()).contains("no such file or directory");
        assertThat(status.getSmokeTest().getExitCode()).as("runc's code, whichever way it reports").isNotZero();
        assertSmokePodLockedDown(pod, "smoke-dynamic");
    }

    /** Pod Security restricted as admitted, no service-account token, owned by the resource. */
    void assertSmokePodLockedDown(Pod pod, String owner) {
        var podSecurity = pod.getSpec().getSecurityContext();
        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
        assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getVolumeMounts()).as("no service-account token is mounted")
                .noneMatch(m -> m.getMountPath().startsWith("/var/run/secrets/kubernetes.io"));
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getController()).isTrue())
                .satisfies(o -> assertThat(o.getName()).isEqualTo(owner));
    }

    /** The resource as kubectl shows it, kept under target/cluster-tier for the issue's "status YAML". */
    void saveStatusYaml(String name, String file) {
        Processes.Result get = kubectl(Duration.ofSeconds(30), "get", "minimalimage", name, "-o", "yaml");
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        try {
            Path out = Files.createDirectories(Path.of("target/cluster-tier")).resolve(file);
            Files.writeString(out, get.stdout());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Condition condition(MinimalImageStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition:\n" + Serialization.asYaml(status)));
    }

    /** Builder pods that hold a build slot, as the operator counts them: not finished and not being deleted. */
    /** Builder pods that take a build slot as the operator counts them, kept up to date from a watch. */
    static final class ActiveBuilderPods implements io.fabric8.kubernetes.client.Watcher<Pod> {
        private final int cap;
        private final Instant start;
        private final java.util.Set<String> active = new java.util.TreeSet<>();
        private final List<String> overCap = new ArrayList<>();
        private int peak;

        ActiveBuilderPods(int cap, Instant start) {
            this.cap = cap;
            this.start = start;
        }

        @Override
        public synchronized void eventReceived(Action action, Pod pod) {
            String name = pod.getMetadata().getName();
            boolean takesSlot = action != Action.DELETED && isActive(pod);
            if (takesSlot) {
                active.add(name);
            } else {
                active.remove(name);
            }
            peak = Math.max(peak, active.size());
            if (active.size() > cap) {
                overCap.add(Duration.between(start, Instant.now()).toMillis() + " ms: " + active);
            }
        }

        @Override
        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
            if (cause != null) {
                synchronized (this) {
                    overCap.add("the watch failed, so the count is incomplete: " + cause.getMessage());
                }
            }
        }

        synchronized int peak() {
            return peak;
        }

        synchronized List<String> overCap() {
            return List.copyOf(overCap);
        }
    }

    static boolean isActive(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null
                && (pod.getStatus() == null || !List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase()));
    }

    List<String> activeBuilderPods() {
        return client.pods().inNamespace(env.namespace()).withLabelSelector(BuilderLayout.SELECTOR).list().getItems()
                .stream().filter(ClusterIT::isActive).map(p -> p.getMetadata().getName()).toList();
    }

    /** The cap the chart gave the operator (maxConcurrentBuilds), read back from its Deployment. */
    int maxConcurrentBuilds() {
        return client.apps().deployments().inNamespace(env.operatorNamespace()).list().getItems().stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .flatMap(c -> c.getEnv().stream()).filter(e -> MAX_CONCURRENT_BUILDS_ENV.equals(e.getName()))
                .map(e -> Integer.parseInt(e.getValue())).findFirst().orElseThrow();
    }

    List<String> sourceConfigMaps(String name) {
        return client.configMaps().inNamespace(env.namespace()).list().getItems().stream()
                .filter(cm -> cm.getMetadata().getOwnerReferences().stream().anyMatch(o -> name.equals(o.getName())))
                .map(cm -> cm.getMetadata().getName()).toList();
    }

    // ------------------------------------------------------------------------------------------- resources

    MinimalImage readmeExample() throws IOException {
        MinimalImage example;
        try (InputStream in = Files.newInputStream(README_EXAMPLE)) {
            example = Serialization.unmarshal(in, MinimalImage.class);
        }
        // the same resource, pushed where this cluster can pull from
        example.getSpec().getImage().setName(env.registry() + "/e2e/hello:1");
        example.getSpec().getImage().setPushSecret(null);
        example.getSpec().getImage().setInsecure(true);
        return example;
    }

    MinimalImage inline(String name, Language.Name language, Map<String, String> files) {
        return Resources.inline(name, language, env.registry() + "/e2e/" + name + ":1", files);
    }

    /** A C program in a subdirectory whose header is an in-tree symlink into a sibling directory. */
    String startGitServer() throws Exception {
        Path origin = work.resolve("origin");
        gitRepo = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call();
        Files.createDirectories(origin.resolve("app"));
        Files.createDirectories(origin.resolve("common"));
        Files.writeString(origin.resolve("common/msg.h"), "#define MSG \"hello from git\"\n");
        Files.createSymbolicLink(origin.resolve("app/msg.h"), Path.of("../common/msg.h"));
        Files.writeString(origin.resolve("app/main.c"),
                "#include <stdio.h>\n#include \"msg.h\"\nint main(void){puts(MSG);return 0;}\n");
        copyTree(Fixtures.ROOT, origin.resolve("fixtures"));
        gitRepo.add().addFilepattern(".").call();
        gitCommit = gitRepo.commit().setMessage("hello").setAuthor("t", "t@example.org").setSign(false).call();
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        // the test JVM runs in the cluster's network namespace: this address is the node's, reachable from pods
        gitServer = new BoundSshGitServer(user, gitRepo, host, env.gitHost());
        int port = gitServer.start();
        gitHosts = env.gitHost() + ":" + port;
        gitSecretData = Map.of("ssh-privatekey", SshKeys.pem(user), "known_hosts",
                "[" + env.gitHost() + "]:" + port + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
        client.resource(new SecretBuilder().withNewMetadata().withName(GIT_SECRET).withNamespace(env.namespace())
                .addToAnnotations(GitHosts.ANNOTATION, gitHosts)
                .endMetadata().withType("kubernetes.io/ssh-auth").withStringData(gitSecretData).build()).create();
        // the same valid keys, but without the annotation naming the host they may be sent to
        client.resource(new SecretBuilder().withNewMetadata().withName(UNANNOTATED_GIT_SECRET)
                .withNamespace(env.namespace()).endMetadata().withType("kubernetes.io/ssh-auth")
                .withStringData(gitSecretData).build()).create();
        return "ssh://git@" + env.gitHost() + ":" + port + "/repo";
    }

    /** Copies a directory with its files' modes (configure stays executable, as in a real checkout). */
    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    MinimalImage fromGit(String url) {
        MinimalImage resource = Resources.helloC("from-git", env.registry() + "/e2e/from-git:1");
        Source.Git git = new Source.Git();
        git.setUrl(url);
        git.setRevision("main");
        git.setContextDir("app");
        git.setCredentialsSecret(GIT_SECRET);
        resource.getSpec().getSource().setInline(null);
        resource.getSpec().getSource().setGit(git);
        return resource;
    }

    static final String MISSING_COMMIT = "0123456789abcdef0123456789abcdef01234567";

    /** from-git at a commit the repository does not have: the fetch step itself fails. */
    MinimalImage missingCommit(String url) {
        MinimalImage resource = fromGit(url);
        resource.getMetadata().setName("missing-commit");
        resource.getSpec().getImage().setName(env.registry() + "/e2e/missing-commit:1");
        resource.getSpec().getSource().getGit().setRevision(MISSING_COMMIT);
        return resource;
    }

    /** A fixture project from the test's git repository (src/test/fixtures, copied under fixtures/). */
    MinimalImage fixture(String project, String name, String tag) {
        MinimalImage resource = Resources.helloC(name, env.registry() + "/e2e/" + name + ":" + tag);
        Source.Git git = new Source.Git();
        git.setUrl(gitUrl);
        git.setRevision("main");
        git.setContextDir("fixtures/" + project);
        git.setCredentialsSecret(GIT_SECRET);
        resource.getSpec().getSource().setInline(null);
        resource.getSpec().getSource().setGit(git);
        Language language = resource.getSpec().getLanguage();
        language.setName(Language.Name.valueOf(Fixtures.fact(project, "language").toUpperCase()));
        if (language.getName() == Language.Name.GO) {
            language.setGoPackage(Fixtures.fact(project, "executable"));
            BuildSettings build = new BuildSettings();
            BuildCache cache = new BuildCache();
            cache.setClaimName(CACHE_CLAIM);
            build.setCache(cache);
            resource.getSpec().setBuild(build);
        } else if (project.equals("make-two-programs")) {
            language.setExecutable(Fixtures.fact(project, "executable"));
        }
        return resource;
    }

    /** A build whose pod no node can take: it must fail after its start timeout, not stay Building. */
    MinimalImage unschedulable() {
        MinimalImage resource = inline("unschedulable", Language.Name.C, Map.of("main.c", program("never")));
        resource.getSpec().getBuild().setStartTimeout("1m");
        resource.getSpec().getBuild().setNodeSelector(Map.of("minimal-image.test/no-such-node", "true"));
        return resource;
    }

    /** A git build whose Secret holds valid keys but lacks the git-hosts annotation. */
    MinimalImage gitWithAnUnannotatedSecret() {
        MinimalImage resource = fromGit(gitUrl);
        resource.getMetadata().setName("unannotated-git");
        resource.getSpec().getImage().setName(env.registry() + "/e2e/unannotated-git:1");
        resource.getSpec().getSource().getGit().setCredentialsSecret(UNANNOTATED_GIT_SECRET);
        return resource;
    }

    /** A git build naming a Secret that exists but is of the wrong kind (the push Secret has no ssh keys). */
    MinimalImage gitWithAKeylessSecret() {
        MinimalImage resource = fixture("make-two-programs", "keyless-git", "1");
        resource.getSpec().getSource().getGit().setCredentialsSecret(WRONG_PUSH_SECRET);
        return resource;
    }

    /** A custom build whose program prints a variable of spec.language.env, $(...) and $$ included. */
    MinimalImage literalEnvBuild() {
        MinimalImage resource = inline("literal-env", Language.Name.CUSTOM, Map.of("README", "env only\n"));
        Language.Custom custom = new Language.Custom();
        custom.setImage(env.toolchainImage());
        custom.setScript("printf '#include <stdio.h>\\nint main(void){puts(\"%s\");return 0;}\\n' \"$MESSAGE\" > m.c\n"
                + "musl-gcc -static -Os -o \"$OUT\" m.c");
        resource.getSpec().getLanguage().setCustom(custom);
        resource.getSpec().getLanguage().setEnv(List.of(new LiteralEnvVar("MESSAGE", ENV_MESSAGE)));
        return resource;
    }

    /**
     * The test cluster has no volume provisioner: a static hostPath PersistentVolume (a fresh directory owned by the
     * builder's uid 65532) bound to the claim the Go fixture names as its build cache.
     */
    void createBuildCache() throws IOException {
        cacheDir = Files.createTempDirectory(Files.createDirectories(Path.of("/var/cache/minimal-image/cluster-it")),
                "build-cache-");
        Processes.run(Duration.ofSeconds(30), List.of("chown", "65532:65532", cacheDir.toString()))
                .requireSuccess("chown 65532 " + cacheDir);
        client.persistentVolumes().withName(cachePersistentVolume()).withGracePeriod(0).delete();
        await().atMost(Duration.ofMinutes(1)).until(() -> client.persistentVolumes()
                .withName(cachePersistentVolume()).get() == null);
        client.resource(new PersistentVolumeBuilder().withNewMetadata().withName(cachePersistentVolume()).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity("1Gi"))).withAccessModes("ReadWriteOnce")
                .withStorageClassName("manual").withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath().withPath(cacheDir.toString()).withType("Directory").endHostPath()
                .withNewClaimRef().withNamespace(env.namespace()).withName(CACHE_CLAIM).endClaimRef()
                .endSpec().build()).create();
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName(CACHE_CLAIM)
                .withNamespace(env.namespace()).withLabels(Map.of("build.minimalimage.dev/cache", "true")).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withStorageClassName("manual").withVolumeName(cachePersistentVolume()).withNewResources()
                .withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec().build()).create();
    }

    String cachePersistentVolume() {
        return env.namespace() + "-" + CACHE_CLAIM;
    }

    /** Passes only with a writable /tmp and a root it cannot write to (its own /app). */
    static final String SMOKE_OK_PROGRAM = """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                FILE *scratch = fopen("/tmp/scratch", "w");
                if (scratch == NULL) { perror("/tmp/scratch"); return 1; }
                fclose(scratch);
                if (fopen("/app/written", "w") != NULL) { puts("the root is writable"); return 1; }
                printf("hello smoke uid=%d arg=%s\\n", (int) getuid(), argc > 1 ? argv[1] : "-");
                return 0;
            }
            """;

    /** A static C program with a smoke test that passes only for "world" as uid 65532; the image's user is root. */
    MinimalImage smokeTested(String name, String program) {
        MinimalImage resource = inline(name, Language.Name.C, Map.of("main.c", program));
        resource.getSpec().getImage().setUser("0");
        SmokeTestSpec test = new SmokeTestSpec();
        test.setArgs(List.of("world"));
        test.setOutputPattern("^hello smoke uid=65532 arg=world$");
        test.setTimeout("30s");
        resource.getSpec().getVerify().setSmokeTest(test);
        return resource;
    }

    /** A glibc-dynamic C program shipped anyway (AllowDynamic): on scratch its interpreter is missing. */
    MinimalImage dynamicSmokeTested() {
        MinimalImage resource = dynamicProgram();
        resource.getMetadata().setName("smoke-dynamic");
        resource.getSpec().getImage().setName(env.registry() + "/e2e/smoke-dynamic:1");
        resource.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.ALLOW_DYNAMIC);
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        return resource;
    }

    MinimalImage dynamicProgram() {
        MinimalImage dyn = inline("dynamic", Language.Name.CUSTOM,
                Map.of("main.c", "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n"));
        Language.Custom custom = new Language.Custom();
        custom.setImage(env.toolchainImage());
        custom.setScript("gcc -O2 -o \"$OUT\" main.c");
        dyn.getSpec().getLanguage().setCustom(custom);
        return dyn;
    }

    /** A static C program whose compile step sleeps first, so a test can act while the build runs. */
    MinimalImage slowBuild(String name, String message, int sleepSeconds) {
        MinimalImage slow = inline(name, Language.Name.CUSTOM, Map.of("main.c", program(message)));
        Language.Custom custom = new Language.Custom();
        custom.setImage(env.toolchainImage());
        custom.setScript(compileScript(sleepSeconds));
        slow.getSpec().getLanguage().setCustom(custom);
        return slow;
    }

    static String program(String message) {
        return "#include <stdio.h>\nint main(void){puts(\"" + message + "\");return 0;}\n";
    }

    static String compileScript(int sleepSeconds) {
        return "sleep " + sleepSeconds + "\nmusl-gcc -static -Os -o \"$OUT\" main.c";
    }

    void createSecrets() {
        wrongPassword = env.authPassword() + "-wrong";
        String auth = Base64.getEncoder().encodeToString((env.authUser() + ":" + wrongPassword)
                .getBytes(StandardCharsets.UTF_8));
        String config = "{\"auths\":{\"" + env.authRegistry() + "\":{\"auth\":\"" + auth + "\"}}}";
        client.resource(new SecretBuilder().withNewMetadata().withName(WRONG_PUSH_SECRET).withNamespace(env.namespace())
                .endMetadata().withType("kubernetes.io/dockerconfigjson")
                .withStringData(Map.of(".dockerconfigjson", config)).build()).create();
    }

    // ------------------------------------------------------------------------------------------- checks

    void assertPushedImageRuns(MinimalImageStatus status, String repository, String tag, String binary, String expected)
            throws Exception {
        PushedImages.assertRunsFromEmptyRoot(registry, work, status, repository, tag, binary, expected);
    }

    void assertRejected(MinimalImage resource, String expectedMessage) {
        try {
            client.resource(resource).create();
        } catch (KubernetesClientException e) {
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getMessage()).contains(expectedMessage);
            return;
        }
        throw new AssertionError("the API server admitted " + resource.getMetadata().getName());
    }

    boolean serverHasCel() {
        var version = client.getKubernetesVersion();
        int minor = Integer.parseInt(version.getMinor().replaceAll("[^0-9].*$", ""));
        return Integer.parseInt(version.getMajor()) > 1 || minor >= 25;
    }

    // ------------------------------------------------------------------------------------------- waiting and reading

    MinimalImageStatus awaitReady(String name) {
        return images.awaitReady(name, () -> describe(name));
    }

    MinimalImageStatus awaitFinished(String name) {
        return images.awaitFinished(name);
    }

    /** Waits for Ready=True without a spec edit (a refusal of the same generation is on record until then). */
    MinimalImageStatus awaitReadyTrue(String name, Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
                MinimalImageStatus s = get(name).getStatus();
                return s != null && s.getPhase() == MinimalImageStatus.Phase.Succeeded;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " not Ready:\n" + Serialization.asYaml(get(name).getStatus()) + describe(name),
                    e);
        }
        MinimalImageStatus status = get(name).getStatus();
        assertThat(ready(status).getStatus()).isEqualTo("True");
        return status;
    }

    /** Waits until the Ready condition carries {@code reason}; returns that status. */
    MinimalImageStatus awaitReadyReason(String name, String reason, Duration atMost) {
        MinimalImageStatus[] seen = new MinimalImageStatus[1];
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
                MinimalImage r = get(name);
                seen[0] = r == null ? null : r.getStatus();
                return seen[0] != null && seen[0].getConditions() != null && seen[0].getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && reason.equals(c.getReason()));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " never showed Ready reason " + reason + "; last status:\n"
                    + Serialization.asYaml(seen[0]) + describe(name), e);
        }
        return seen[0];
    }

    /**
     * Waits until the compile container of the resource's current pod runs (a regular container beside the packer);
     * returns the pod's name. Bounded by the queue too: a filtered run starts this build behind every resource setUp
     * created.
     */
    String awaitCompileRunning(String name) {
        String[] podName = new String[1];
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500)).until(() -> ownedPods(name).stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .filter(p -> p.getStatus().getContainerStatuses().stream().anyMatch(
                        c -> BuilderLayout.COMPILE_CONTAINER.equals(c.getName()) && c.getState().getRunning() != null))
                .peek(p -> podName[0] = p.getMetadata().getName()).findFirst().isPresent());
        return podName[0];
    }

    void create(MinimalImage resource) {
        images.create(resource);
    }

    MinimalImage get(String name) {
        return images.get(name);
    }

    List<Pod> ownedPods(String name) {
        return client.pods().inNamespace(env.namespace()).list().getItems().stream()
                .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(o -> name.equals(o.getName())))
                .toList();
    }

    List<Pod> operatorPods() {
        return client.pods().inNamespace(env.operatorNamespace()).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    String podLogs(String pod) {
        StringBuilder all = new StringBuilder();
        for (String container : List.of(BuilderLayout.COMPILE_CONTAINER, BuilderLayout.PACKAGE_CONTAINER)) {
            all.append(client.pods().inNamespace(env.namespace()).withName(pod).inContainer(container).getLog());
        }
        return all.toString();
    }

    String operatorLogs() {
        StringBuilder all = new StringBuilder();
        for (Pod operator : operatorPods()) {
            all.append(client.pods().inNamespace(env.operatorNamespace()).withName(operator.getMetadata().getName())
                    .getLog());
        }
        assertThat(all).as("operator logs").isNotEmpty();
        return all.toString();
    }

    /** What a user would look at when a wait fails: the resource and its pods, as kubectl shows them. */
    String describe(String name) {
        return env.describe(name);
    }

    Processes.Result kubectl(Duration timeout, String... args) {
        return env.kubectl(timeout, args);
    }

    /**
     * Deletes what an earlier run left and starts from an empty namespace. Pods are removed from the API at once
     * (grace period 0): on the test cluster a deleted pod with a Secret volume can stay Terminating for ever (its
     * kubelet stacks bind mounts over /var/lib/kubelet and then fails to remove the hidden volume, "device or resource
     * busy"), which would block the namespace's deletion.
     */
    void recreateNamespace(String name) {
        // the chart's Role and RoleBinding (all of the operator's permissions) live in each watched namespace:
        // deleting the namespace deletes them, so they are put back as Helm installed them (else every call is 403)
        List<Role> roles = client.rbac().roles().inNamespace(name).withLabel("app.kubernetes.io/managed-by", "Helm")
                .list().getItems();
        List<RoleBinding> bindings = client.rbac().roleBindings().inNamespace(name)
                .withLabel("app.kubernetes.io/managed-by", "Helm").list().getItems();
        client.namespaces().withName(name).delete();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            client.pods().inNamespace(name).withGracePeriod(0).delete();
            return client.namespaces().withName(name).get() == null;
        });
        client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        for (Role role : roles) {
            client.resource(new RoleBuilder(role).withMetadata(copyOf(role.getMetadata())).build()).create();
        }
        for (RoleBinding binding : bindings) {
            client.resource(new RoleBindingBuilder(binding).withMetadata(copyOf(binding.getMetadata())).build()).create();
        }
        // the legacy (1.20) token controller adds the default service account shortly after; pods wait for it
        await().atMost(Duration.ofSeconds(60)).pollDelay(0, TimeUnit.SECONDS).until(
                () -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
    }

    /** Name, namespace, labels and annotations only: what a create of the same object takes. */
    static ObjectMeta copyOf(ObjectMeta meta) {
        return new ObjectMetaBuilder().withName(meta.getName()).withNamespace(meta.getNamespace())
                .withLabels(meta.getLabels()).withAnnotations(meta.getAnnotations()).build();
    }

    static Condition ready(MinimalImageStatus status) {
        return MinimalImages.ready(status);
    }

    // ------------------------------------------------------------------------------------------- least privilege

    /**
     * The operator's service account, as the chart installed it with watchNamespaces set (issue 21): in the watched
     * namespace exactly the verbs of OperatorPermissions, nothing in an unwatched namespace or cluster-wide, Leases
     * in its own namespace only; `kubectl auth can-i` answers each of them. The builds of this class (the README
     * example first) prove the operator needs no more.
     */
    @Test
    @Order(41)
    void theOperatorsServiceAccountCanDoOnlyWhatItsTableSaysAndOnlyInWatchedNamespaces() throws Exception {
        awaitReady("hello"); // the operator works with exactly these permissions
        List<io.fabric8.kubernetes.api.model.apps.Deployment> operators = List.of(operatorDeployment());
        String serviceAccount = "system:serviceaccount:" + env.operatorNamespace() + ":"
                + operators.get(0).getSpec().getTemplate().getSpec().getServiceAccountName();
        List<OperatorAccess.Question> questions = OperatorAccess.questions(env.operatorNamespace(), env.namespace(),
                env.unwatchedNamespace());
        assertThat(OperatorAccess.mismatches(env.kubectl(), serviceAccount, questions))
                .as("kubectl auth can-i --as=%s, %d questions", serviceAccount, questions.size()).isEmpty();
    }
}
