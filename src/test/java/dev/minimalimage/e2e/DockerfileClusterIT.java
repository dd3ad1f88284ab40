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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.security.KeyPair;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;

import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.git.GitHosts;
import dev.minimalimage.cli.CliRun;
import dev.minimalimage.dockerfile.StageContainers;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.testsupport.PodSteps;
import dev.minimalimage.testsupport.BoundSshGitServer;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.MinimalImages;
import dev.minimalimage.testsupport.PushedImages;
import dev.minimalimage.testsupport.RegistryApi;
import dev.minimalimage.testsupport.SshKeys;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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
    SshTestGitServer gitServer;
    Git gitRepo;
    String gitUrl;

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
        gitUrl = startGitServer();
        create(fromGit(dockerfile("df-git-c", Map.of(), Map.of("TOOLCHAIN", gcc), "hello from a Dockerfile"), "c"));
        create(fromGit(dockerfile("df-git-prebuilt", Map.of(), Map.of(), "hello, prebuilt"), "prebuilt"));
        create(dockerfile("df-run-fails", Map.of("Dockerfile", "ARG TOOLCHAIN\nFROM ${TOOLCHAIN} AS build\n"
                + "RUN echo compiling && exit 7\nFROM scratch\nCOPY --from=build /bin/true /true\n"),
                Map.of("TOOLCHAIN", gcc), null));
        create(dockerfile("df-three", Map.of("Dockerfile", THREE_STAGES, "hello.c", GREETING_C),
                Map.of("TOOLCHAIN", gcc), "hello from the first stage"));
    }

    /** Two stages FROM an image: the first (an init container) hands a header on to the last (beside the packer). */
    static final String THREE_STAGES = """
            ARG TOOLCHAIN
            FROM ${TOOLCHAIN} AS gen
            RUN mkdir -p /gen && echo '#define GREETING "hello from the first stage"' > /gen/greeting.h
            FROM ${TOOLCHAIN} AS build
            COPY --from=gen /gen/greeting.h /src/greeting.h
            COPY hello.c /src/hello.c
            RUN gcc -static -I/src /src/hello.c -o /hello
            FROM scratch
            COPY --from=build /hello /
            ENTRYPOINT ["/hello"]
            """;
    static final String GREETING_C = "#include <stdio.h>\n#include \"greeting.h\"\nint main(void){puts(GREETING);"
            + "return 0;}\n";

    static final List<String> NAMES = List.of("df-hello", "df-hello-again", "df-dynamic", "df-go", "df-run-fails",
            "df-distro", "df-volume", "df-git-c", "df-git-prebuilt", "df-three");
    static final String GIT_SECRET = "df-git-creds";

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
        assertThat(status.getSbom().getFormat()).as("an SBOM pushed beside the image").isNotBlank();
        assertThat(status.getSbom().getComponents()).isPositive();
        PushedImages.assertRunsFromEmptyRoot(registry, work, status, "e2e/df-hello", "1", "/hello",
                "hello from a Dockerfile\n");
        MinimalImageStatus again = images.awaitReady("df-hello-again", () -> env.describe("df-hello-again"));
        assertThat(again.getDigest()).as("the same Dockerfile and context, the same digest")
                .isEqualTo(status.getDigest());
        assertStagesLockedDown(status.getBuilderPod());
        // one stage container: the runtime copy too is a regular container, held by its postStart hook until the
        // copy is complete (the stage ran from it: the build above succeeded), and it ended well
        Pod pod = client.pods().inNamespace(env.namespace()).withName(status.getBuilderPod()).get();
        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly(
                BuilderLayout.RUNTIME_CONTAINER, StageContainers.stageKey(0), BuilderLayout.PACKAGE_CONTAINER);
        assertThat(pod.getStatus().getContainerStatuses()).allSatisfy(c -> assertThat(c.getState().getTerminated()
                .getExitCode()).as(c.getName()).isZero());
        assertThat(client.v1().events().inNamespace(env.namespace()).list().getItems()).as("no failed hook")
                .filteredOn(e -> pod.getMetadata().getName().equals(e.getInvolvedObject().getName()))
                .extracting(e -> e.getReason()).isNotEmpty().doesNotContain("FailedPostStartHook");
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

    /**
     * The stages before the last run as init containers, in order; the last runs beside the packer, which packs the
     * moment it ends: what the first stage handed on reaches the program.
     */
    @Test
    void earlierStagesRunFirstAndTheLastBesideThePacker() throws Exception {
        MinimalImageStatus status = images.awaitReady("df-three", () -> env.describe("df-three"));
        assertThat(status.getSmokeTest().getOutput()).isEqualTo("hello from the first stage");
        PushedImages.assertRunsFromEmptyRoot(registry, work, status, "e2e/df-three", "1", "/hello",
                "hello from the first stage\n");
        Pod pod = client.pods().inNamespace(env.namespace()).withName(status.getBuilderPod()).get();
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(BuilderLayout.RUNTIME_CONTAINER, StageContainers.stageKey(0));
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly(StageContainers.stageKey(1), BuilderLayout.PACKAGE_CONTAINER);
        assertThat(pod.getStatus().getContainerStatuses()).as("both ended well")
                .allSatisfy(c -> assertThat(c.getState().getTerminated().getExitCode()).isZero());
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

    /**
     * A git source: a first pod fetches and reports the Dockerfile, the build pod is planned from it and checks out
     * that commit; the issue's example from a repository, and a prebuilt static binary copied from the context into
     * FROM scratch with no build stage at all (so no stage container).
     */
    @Test
    void fromGitTheDockerfileIsReadFirstAndTheBuildCheckedOutAtItsCommit() throws Exception {
        MinimalImageStatus c = images.awaitReady("df-git-c", () -> env.describe("df-git-c"));
        String head = gitRepo.getRepository().resolve("HEAD").name();
        assertThat(c.getDockerfile().getCommit()).isEqualTo(head);
        assertThat(c.getSourceCommit()).isEqualTo(head);
        assertThat(c.getDockerfile().getText()).contains("FROM ${TOOLCHAIN} AS build");
        assertThat(c.getSmokeTest().getOutput()).isEqualTo("hello from a Dockerfile");
        PushedImages.assertRunsFromEmptyRoot(registry, work, c, "e2e/df-git-c", "1", "/hello",
                "hello from a Dockerfile\n");
        List<Pod> pods = ownedPods("df-git-c").stream().filter(p -> BuilderLayout.COMPONENT_BUILDER.equals(
                p.getMetadata().getLabels().get(BuilderLayout.LABEL_COMPONENT))).toList();
        assertThat(pods).as("the resolve step's pod and the build's (the smoke test's aside)").hasSize(2);
        assertThat(pods).filteredOn(p -> p.getSpec().getInitContainers().isEmpty()).singleElement()
                .satisfies(p -> assertThat(p.getSpec().getContainers()).extracting(Container::getName)
                        .containsExactly(BuilderLayout.FETCH_CONTAINER));

        MinimalImageStatus prebuilt = images.awaitReady("df-git-prebuilt", () -> env.describe("df-git-prebuilt"));
        assertThat(prebuilt.getFiles()).extracting(MinimalImageStatus.FileStatus::getPath,
                MinimalImageStatus.FileStatus::getVerdict).containsExactly(tuple("/hello", "Static"));
        Pod build = client.pods().inNamespace(env.namespace()).withName(prebuilt.getBuilderPod()).get();
        assertThat(build.getSpec().getInitContainers()).extracting(Container::getName)
                .as("nothing runs but the fetch and the packer").containsExactly(BuilderLayout.FETCH_CONTAINER);
        assertThat(registry.manifest("e2e/df-git-prebuilt", "1")).isNotEmpty();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(registry.manifest(
                "e2e/df-git-prebuilt", "1")).path("annotations").path("org.opencontainers.image.revision").asText())
                .isEqualTo(head);
    }

    /** A repository with the hello-c fixture under c/ and a static binary built here under prebuilt/. */
    String startGitServer() throws Exception {
        Path origin = work.resolve("origin");
        gitRepo = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call();
        Files.createDirectories(origin.resolve("c"));
        for (Map.Entry<String, String> file : files(HELLO_C).entrySet()) {
            Files.writeString(origin.resolve("c").resolve(file.getKey()), file.getValue());
        }
        Path prebuilt = Files.createDirectories(origin.resolve("prebuilt"));
        Path binary = Compilers.muslGcc(work, "hello", "#include <stdio.h>\nint main(void){puts(\"hello, prebuilt\");"
                + "return 0;}\n", "-static", "-Os");
        Files.copy(binary, prebuilt.resolve("hello"));
        Files.writeString(prebuilt.resolve("Dockerfile"), "FROM scratch\nCOPY hello /hello\nENTRYPOINT [\"/hello\"]\n");
        gitRepo.add().addFilepattern(".").call();
        gitRepo.commit().setMessage("dockerfiles").setAuthor("t", "t@example.org").setSign(false).call();
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        gitServer = new BoundSshGitServer(user, gitRepo, host, env.gitHost());
        int port = gitServer.start();
        client.resource(new SecretBuilder().withNewMetadata().withName(GIT_SECRET).withNamespace(env.namespace())
                .addToAnnotations(GitHosts.ANNOTATION, env.gitHost() + ":" + port).endMetadata()
                .withType("kubernetes.io/ssh-auth").withStringData(Map.of("ssh-privatekey", SshKeys.pem(user),
                        "known_hosts", "[" + env.gitHost() + "]:" + port + " "
                                + PublicKeyEntry.toString(host.getPublic()) + "\n")).build()).createOr(
                                        existing -> existing.update());
        return "ssh://git@" + env.gitHost() + ":" + port + "/repo";
    }

    MinimalImage fromGit(MinimalImage resource, String contextDir) {
        Source.Git git = new Source.Git();
        git.setUrl(gitUrl);
        git.setRevision("main");
        git.setContextDir(contextDir);
        git.setCredentialsSecret(GIT_SECRET);
        resource.getSpec().getSource().setInline(null);
        resource.getSpec().getSource().setGit(git);
        return resource;
    }

    @AfterAll
    void stopGitServer() throws Exception {
        if (gitServer != null) {
            gitServer.stop();
        }
        if (gitRepo != null) {
            gitRepo.close();
        }
    }

    /** Each stage in its own image without capabilities or escalation; the packer as locked down as ever. */
    void assertStagesLockedDown(String podName) {
        Pod pod = client.pods().inNamespace(env.namespace()).withName(podName).get();
        Container stage = PodSteps.step(pod, StageContainers.stageKey(0));
        assertThat(stage.getImage()).isEqualTo(gcc);
        assertThat(stage.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(stage.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        // beside the packer: where it writes its exit code, and nothing of the packer's (credentials, /tmp, HOME)
        assertThat(stage.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder(
                BuilderLayout.STAGE_RUNTIME_DIR, BuilderLayout.STAGE_CONTEXT, BuilderLayout.HANDOFF_DIR,
                BuilderLayout.COMPILE_EXIT_DIR);
        Container packer = PodSteps.step(pod, BuilderLayout.PACKAGE_CONTAINER);
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
