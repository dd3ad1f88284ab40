package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;

import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.cli.CliRun;
import dev.minimalimage.dockerfile.StageContainers;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.testsupport.MinimalImages;
import dev.minimalimage.testsupport.PushedImages;
import dev.minimalimage.testsupport.RegistryApi;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * spec.dockerfile on the real cluster (issue 18): Dockerfiles written as the write-ups write them, their FROM pointed
 * at the tier's toolchain image by build args. The toolchain image runs as 65532 (the builder's user); docker's
 * {@code gcc} and {@code golang} images run as root, and the write-ups' Dockerfiles rely on it (COPY hello.c /, RUN
 * ... -o /hello). So the stand-in is that image with docker's default user, made here with Jib: the same layers, User
 * root, HOME /root. All resources are created up front and build side by side.
 */
@EnabledIfEnvironmentVariable(named = ClusterEnv.ENABLE, matches = "1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerfileClusterIT {

    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    static final Path HELLO_C = Path.of("src/test/fixtures/dockerfile-hello-c").toAbsolutePath();
    static final Path GO = Path.of("src/test/fixtures/dockerfile-go").toAbsolutePath();

    ClusterEnv env;
    KubernetesClient client;
    MinimalImages images;
    RegistryApi registry;
    String gcc;
    Path work;

    @BeforeAll
    void setUp() throws Exception {
        env = ClusterEnv.fromEnvironment();
        client = new KubernetesClientBuilder().build();
        images = new MinimalImages(client, env.namespace(), BUILD_TIMEOUT, Duration.ofSeconds(1));
        registry = new RegistryApi(env.registry(), null, null);
        work = Files.createTempDirectory("dockerfile-cluster-it");
        gcc = rootUserToolchain();
        removeEarlierRuns();
        create(dockerfile("df-hello", files(HELLO_C), Map.of("TOOLCHAIN", gcc), "hello from a Dockerfile"));
        create(dockerfile("df-hello-again", files(HELLO_C), Map.of("TOOLCHAIN", gcc), null));
        create(dockerfile("df-dynamic", files(HELLO_C), Map.of("TOOLCHAIN", gcc, "CFLAGS", "-O2"), null));
        create(dockerfile("df-go", files(GO), Map.of("GO_IMAGE", gcc),
                "hello from Go, configured by a file beside the binary"));
        create(dockerfile("df-run-fails", Map.of("Dockerfile", "ARG TOOLCHAIN\nFROM ${TOOLCHAIN} AS build\n"
                + "RUN echo compiling && exit 7\nFROM scratch\nCOPY --from=build /bin/true /true\n"),
                Map.of("TOOLCHAIN", gcc), null));
    }

    static final List<String> NAMES = List.of("df-hello", "df-hello-again", "df-dynamic", "df-go", "df-run-fails",
            "df-distro", "df-volume");

    /** A filtered re-run on a kept cluster finds the resources of the last run: each test must see a build of its own. */
    void removeEarlierRuns() {
        NAMES.forEach(name -> client.resources(MinimalImage.class).inNamespace(env.namespace()).withName(name)
                .delete());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> NAMES.stream().allMatch(name -> images.get(name) == null));
    }

    /**
     * The tier's toolchain image with docker's default user (root), as docker.io/library/gcc has it; named by digest,
     * so a node that holds an earlier stand-in under the same tag never runs that one.
     */
    String rootUserToolchain() throws Exception {
        String repository = env.registry() + "/e2e/gcc";
        // HOME as docker sets it for root: the toolchain image's says /home/nonroot, 65532's, which root without
        // capabilities may not write (a Go build keeps its cache there)
        var pushed = Jib.from(RegistryImage.named(env.toolchainImage())).setUser("0")
                .addEnvironmentVariable("HOME", "/root")
                .containerize(Containerizer.to(RegistryImage.named(repository + ":root"))
                        .setAllowInsecureRegistries(true));
        return repository + "@" + pushed.getDigest();
    }

    @Test
    void theIssuesExampleIsReadyRunsAndGivesTheSameDigestTwice() throws Exception {
        MinimalImageStatus status = images.awaitReady("df-hello", () -> env.describe("df-hello"));
        assertThat(status.getLink().getVerdict()).isEqualTo("Static");
        assertThat(status.getFiles()).extracting(MinimalImageStatus.FileStatus::getPath,
                MinimalImageStatus.FileStatus::getVerdict).containsExactly(tuple("/hello", "Static"));
        assertThat(status.getSmokeTest().getOutput()).isEqualTo("hello from a Dockerfile");
        PushedImages.assertRunsFromEmptyRoot(registry, work, status, "e2e/df-hello", "1", "/hello",
                "hello from a Dockerfile\n");
        MinimalImageStatus again = images.awaitReady("df-hello-again", () -> env.describe("df-hello-again"));
        assertThat(again.getDigest()).as("the same Dockerfile and context, the same digest")
                .isEqualTo(status.getDigest());
        assertStagesLockedDown(status.getBuilderPod());
    }

    /**
     * The command line builds the same Dockerfile on this machine (RUN in its unprivileged sandbox, the FROM image
     * pulled by our client) to the digest the cluster pushed, given the provenance annotations the operator added for
     * the inline files: the pod's packer is the same code, and so is everything the stages hand it.
     */
    @Test
    void theCommandLineBuildsTheSameDigestAsTheCluster() throws Exception {
        MinimalImageStatus status = images.awaitReady("df-hello", () -> env.describe("df-hello"));
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(registry.manifest("e2e/df-hello",
                "1"));
        List<String> args = new java.util.ArrayList<>(List.of("build", "--dockerfile",
                HELLO_C.resolve("Dockerfile").toString(), "--source", HELLO_C.toString(), "--insecure",
                "--build-arg", "TOOLCHAIN=" + gcc, "--cache-dir", work.resolve("image-cache").toString(), "--image",
                env.registry() + "/e2e/df-hello-local:1"));
        manifest.path("annotations").fields().forEachRemaining(a -> args.add("--annotation=" + a.getKey() + "="
                + a.getValue().asText()));
        try {
            CliRun local = CliRun.of(args.toArray(String[]::new));
            assertThat(local.exitCode()).as(local.all()).isZero();
            assertThat(local.result().digest()).as("the same inputs on the command line").isEqualTo(status
                    .getDigest());
        } finally { // links in the toolchain point outside: JUnit's clean-up would warn about each
            dev.minimalimage.testsupport.Processes.run(Duration.ofMinutes(2), List.of("rm", "-rf",
                    work.resolve("image-cache").toString())).requireSuccess("rm");
        }
    }

    @Test
    void withoutStaticTheFileIsRefusedWithItsLibrariesAndTheFix() {
        MinimalImageStatus status = images.awaitFinished("df-dynamic");
        Ready ready = Ready.of(status);
        assertThat(ready.reason()).as(Serialization.asYaml(status)).isEqualTo("DynamicDependency");
        assertThat(ready.message()).contains("/hello is dynamically linked", "libc.so.6", "-static");
        assertThat(status.getFiles()).extracting(MinimalImageStatus.FileStatus::getPath,
                MinimalImageStatus.FileStatus::getVerdict).containsExactly(tuple("/hello", "Dynamic"));
    }

    @Test
    void aGoTwoStageBuildShipsTheBinaryAndItsConfigFile() throws Exception {
        MinimalImageStatus status = images.awaitReady("df-go", () -> env.describe("df-go"));
        assertThat(status.getFiles()).extracting(MinimalImageStatus.FileStatus::getPath,
                MinimalImageStatus.FileStatus::getVerdict)
                .containsExactly(tuple("/etc/greet.conf", "NotElf"), tuple("/greet", "Static"));
        assertThat(status.getSmokeTest().getOutput())
                .isEqualTo("hello from Go, configured by a file beside the binary");
        assertThat(registry.config("e2e/df-go", "1").at("/config/User").asText()).isEqualTo("65532:65532");
    }

    @Test
    void aFailingRunIsBuildStepFailedNamingItsLineAndTheContainersLog() {
        MinimalImageStatus status = images.awaitFinished("df-run-fails");
        Ready ready = Ready.of(status);
        assertThat(ready.reason()).as(Serialization.asYaml(status)).isEqualTo("BuildStepFailed");
        assertThat(ready.message()).contains("line 3", "RUN exited with 7",
                "kubectl logs -n " + env.namespace() + " " + status.getBuilderPod() + " -c "
                        + StageContainers.stageKey(0));
        assertThat(images.events("df-run-fails")).contains("BuildStepFailed");
    }

    @Test
    void whatNoPodCouldBuildIsRefusedBeforeAnyPodWithItsLine() {
        Map<String, String> distro = Map.of("Dockerfile", "ARG TOOLCHAIN\nFROM ${TOOLCHAIN} AS build\n"
                + "RUN true\nFROM ${TOOLCHAIN}\nCOPY --from=build /bin/true /true\n");
        create(dockerfile("df-distro", distro, Map.of("TOOLCHAIN", gcc), null));
        create(dockerfile("df-volume", Map.of("Dockerfile", "FROM scratch\nVOLUME /data\nCOPY a /a\n", "a", "a\n"),
                Map.of(), null));
        Ready distroReady = Ready.of(images.awaitFinished("df-distro"));
        assertThat(distroReady.reason()).isEqualTo("InvalidSpec");
        assertThat(distroReady.message()).contains("line 4", "FROM scratch", "COPY --from");
        Ready volume = Ready.of(images.awaitFinished("df-volume"));
        assertThat(volume.reason()).isEqualTo("InvalidSpec");
        assertThat(volume.message()).contains("line 2", "VOLUME");
        assertThat(ownedPods("df-distro")).isEmpty();
        assertThat(ownedPods("df-volume")).isEmpty();
    }

    /** Each stage in its own image without capabilities or escalation; the packer as locked down as ever. */
    void assertStagesLockedDown(String podName) {
        Pod pod = client.pods().inNamespace(env.namespace()).withName(podName).get();
        Container stage = pod.getSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals(StageContainers.stageKey(0))).findFirst().orElseThrow();
        assertThat(stage.getImage()).isEqualTo(gcc);
        assertThat(stage.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(stage.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(stage.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder(
                BuilderLayout.STAGE_RUNTIME_DIR, BuilderLayout.STAGE_CONTEXT, BuilderLayout.HANDOFF_DIR);
        Container packer = pod.getSpec().getContainers().get(0);
        assertThat(packer.getSecurityContext().getRunAsUser()).isEqualTo((long) BuilderLayout.BUILDER_UID);
        assertThat(packer.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(packer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    }

    record Ready(String reason, String message) {
        static Ready of(MinimalImageStatus status) {
            var ready = MinimalImages.ready(status);
            assertThat(ready.getStatus()).as(Serialization.asYaml(status)).isEqualTo("False");
            return new Ready(ready.getReason(), ready.getMessage());
        }
    }

    List<Pod> ownedPods(String name) {
        return client.pods().inNamespace(env.namespace()).list().getItems().stream()
                .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(o -> name.equals(o.getName())))
                .toList();
    }

    MinimalImage dockerfile(String name, Map<String, String> files, Map<String, String> buildArgs,
            String smokeOutput) {
        MinimalImage resource = Resources.inline(name, Language.Name.C, env.registry() + "/e2e/" + name + ":1",
                files);
        MinimalImageSpec spec = resource.getSpec();
        Dockerfile dockerfile = new Dockerfile();
        dockerfile.setBuildArgs(buildArgs);
        spec.setLanguage(null);
        spec.setDockerfile(dockerfile);
        if (smokeOutput != null) {
            SmokeTestSpec test = new SmokeTestSpec();
            test.setOutputPattern("^" + smokeOutput + "$");
            test.setTimeout("30s");
            spec.getVerify().setSmokeTest(test);
        }
        return resource;
    }

    /** A fixture directory's files as inline files (they are all text). */
    static Map<String, String> files(Path directory) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (var list = Files.list(directory)) {
            for (Path file : list.toList()) {
                files.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return files;
    }

    void create(MinimalImage resource) {
        images.create(resource);
    }
}
