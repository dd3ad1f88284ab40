package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.git.GitHosts;
import dev.minimalimage.testsupport.MinimalImages;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.PushedImages;
import dev.minimalimage.testsupport.RegistryApi;
import dev.minimalimage.testsupport.Skopeo;
import dev.minimalimage.testsupport.SshGitRepositories;
import dev.minimalimage.testsupport.SshKeys;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Every example under examples/ on the real cluster, taken as a user takes it (examples/README.md): the push Secret
 * and the git Secret made with the kubectl commands the README gives, each project/ pushed as its own repository to
 * an ssh git server on the node's address, each manifest put through {@code envsubst '$REGISTRY $GIT_BASE'} and
 * {@code kubectl apply}. All are applied up front so they build side by side (the followed branch first, as it
 * waits longest); each test then waits for its own and checks what the example is about.
 */
@EnabledIfEnvironmentVariable(named = ClusterEnv.ENABLE, matches = "1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplesIT {

    /** Ten examples through three build slots (the tier's maxConcurrentBuilds), the slowest last in line. */
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(12);
    /** The followed branch's pollInterval (1m) plus a build. */
    static final Duration NEW_COMMIT_BUILT_WITHIN = Duration.ofMinutes(5);
    /** The example pushed to the tier's password-protected registry; all others go to the open one. */
    static final String PRIVATE_REGISTRY_EXAMPLE = "private-registry";
    /** Folder and resource name alike. */
    static final String FOLLOWED_BRANCH_EXAMPLE = "followed-branch";

    ClusterEnv env;
    KubernetesClient client;
    MinimalImages images;
    RegistryApi registry;
    RegistryApi authRegistry;
    SshGitRepositories gitServer;
    String gitBase;
    /** What the git Secret's annotation names: the only host:port its key may be sent to. */
    String gitHostAndPort;
    /** By example folder: the served repository and its first commit. */
    final Map<String, Git> repositories = new HashMap<>();
    final Map<String, RevCommit> seededCommits = new HashMap<>();
    Path work;

    @BeforeAll
    void setUp() throws Exception {
        env = ClusterEnv.fromEnvironment();
        client = new KubernetesClientBuilder().build();
        images = new MinimalImages(client, env.namespace(), BUILD_TIMEOUT, Duration.ofSeconds(2));
        registry = new RegistryApi(env.registry(), null, null);
        authRegistry = new RegistryApi(env.authRegistry(), env.authUser(), env.authPassword());
        work = Files.createTempDirectory("examples-it");
        List<String> folders = applyOrder();
        deleteWhatAnEarlierRunLeft(folders);
        gitBase = startGitServer(folders);
        createPushSecret();
        createGitSecret();
        for (String folder : folders) {
            apply(folder);
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        if (client != null) {
            // it would keep polling a git server that is gone
            client.resources(MinimalImage.class).inNamespace(env.namespace()).withName(FOLLOWED_BRANCH_EXAMPLE)
                    .delete();
            client.close();
        }
        if (gitServer != null) {
            gitServer.stop();
        }
        repositories.values().forEach(Git::close);
    }

    // ------------------------------------------------------------------------------------------- the examples

    @Test
    @Order(1)
    void followedBranchBuildsTheCommitPushedAfterItWasReady() throws Exception {
        RevCommit first = seededCommits.get(FOLLOWED_BRANCH_EXAMPLE);
        MinimalImageStatus built = awaitReady(FOLLOWED_BRANCH_EXAMPLE);
        assertThat(built.getSourceCommit()).isEqualTo(first.name());
        assertThat(built.getTrackedCommit()).isEqualTo(first.name());
        assertRuns(built, FOLLOWED_BRANCH_EXAMPLE, "latest", "hello from the first commit\n");

        Git repository = repositories.get(FOLLOWED_BRANCH_EXAMPLE);
        Path header = repository.getRepository().getWorkTree().toPath().resolve("message.h");
        Files.writeString(header, "#define MESSAGE \"hello from the second commit\"\n");
        RevCommit second = Examples.commit(repository, "a new message");
        MinimalImageStatus rebuilt = awaitBuiltAt(FOLLOWED_BRANCH_EXAMPLE, second.name());
        assertThat(MinimalImages.ready(rebuilt).getStatus()).as(Serialization.asYaml(rebuilt)).isEqualTo("True");
        assertThat(rebuilt.getTrackedCommit()).isEqualTo(second.name());
        assertThat(rebuilt.getDigest()).isNotEqualTo(built.getDigest());
        assertRuns(rebuilt, FOLLOWED_BRANCH_EXAMPLE, "latest", "hello from the second commit\n");
    }

    @Test
    @Order(2)
    void helloCIsAStaticMuslBinary() throws Exception {
        Processes.Result wait = kubectl(Duration.ofMinutes(13), "wait", "--for=condition=Ready", "mimg/hello",
                "--timeout=12m");
        assertThat(wait.exitCode()).as(wait.stderr()).isZero();
        MinimalImageStatus status = awaitReady("hello");
        assertThat(status.getLink().getVerdict()).isEqualTo("Static");
        assertThat(status.getLink().getLibc()).isEqualTo("musl");
        assertRuns(status, "hello", "1.0", "hello from scratch\n");
    }

    @Test
    @Order(3)
    void glibcBundleShipsTheLoaderLibcAndNssAndResolvesLocalhost() throws Exception {
        MinimalImageStatus status = awaitReady("glibc-bundle");
        assertThat(status.getLink().getVerdict()).isEqualTo("Dynamic");
        assertThat(status.getLink().getBundled()).anyMatch(p -> p.endsWith("/libc.so.6"))
                .contains("/etc/nsswitch.conf", "/etc/hosts");
        assertThat(ClusterIT.condition(status, "LinkVerified").getReason()).isEqualTo("Bundled");
        assertRuns(status, "glibc-bundle", "1.0", "localhost is 127.0.0.1\n");
    }

    @Test
    @Order(4)
    void cppCmakeFromGitBuildsTheToolAtTheSeededCommit() throws Exception {
        MinimalImageStatus status = awaitReady("cpp-cmake");
        assertThat(status.getSourceCommit()).isEqualTo(seededCommits.get("cpp-cmake-git").name());
        assertThat(status.getLink().getVerdict()).isIn("Static", "StaticPie");
        assertRuns(status, "cpp-cmake", "1.0", "topwords 1.2.0: the=3 and=2 bird=1\n");
    }

    @Test
    @Order(5)
    void goModuleFromGitBuildsItsCommandWithoutLibc() throws Exception {
        MinimalImageStatus status = awaitReady("go-module");
        assertThat(status.getSourceCommit()).isEqualTo(seededCommits.get("go-module-git").name());
        assertThat(status.getLink().getLibc()).isEqualTo("none");
        assertRuns(status, "go-module", "1.0", "*****************\n* HELLO FROM GO *\n*****************\n");
    }

    @Test
    @Order(6)
    void rustCargoProjectIsStatic() throws Exception {
        MinimalImageStatus status = awaitReady("rust-cargo");
        assertThat(status.getLink().getVerdict()).isIn("Static", "StaticPie");
        assertRuns(status, "rust-cargo", "1.0",
                "fizzbuzz 0.3.0: 1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz\n");
    }

    @Test
    @Order(7)
    void customScriptRunsInItsOwnImageAndKeepsItsShellVariables() throws Exception {
        MinimalImageStatus status = awaitReady("custom-script");
        assertThat(status.getLink().getVerdict()).isEqualTo("Static");
        assertRuns(status, "custom-script", "1.0", "built by a custom script, 3 steps\n");
    }

    @Test
    @Order(8)
    void smokeTestRanThePushedImageBeforeReady() throws Exception {
        MinimalImageStatus status = awaitReady("smoke-test");
        assertThat(ClusterIT.condition(status, "SmokeTested").getReason()).isEqualTo("SmokeTestPassed");
        assertThat(status.getSmokeTest().getExitCode()).isZero();
        assertThat(status.getSmokeTest().getOutput()).contains("greet 1.4.2");
        assertRuns(status, "smoke-test", "1.0", "hello, world\n");
    }

    @Test
    @Order(9)
    void debugTwinIsPushedUnderItsTagWithAShell() throws Exception {
        MinimalImageStatus status = awaitReady("debug-twin");
        assertRuns(status, "debug-twin", "1.0", "hello from the image with a debug twin\n");
        String twinDigest = registry.dockerContentDigest("examples/debug-twin", "1.0-debug").orElseThrow();
        assertThat(status.getDebugImage()).isEqualTo(env.registry() + "/examples/debug-twin@" + twinDigest);
        Path rootfs = Skopeo.pullRootfs(status.getDebugImage(), work.resolve("pull-debug-twin-debug"));
        Processes.Result shell = Skopeo.runInRoot(rootfs, "65532", "/bin/sh", "-c", "ls /app");
        assertThat(shell.exitCode()).as(shell.stderr()).isZero();
        assertThat(shell.stdout()).isEqualTo("app\n");
    }

    @Test
    @Order(10)
    void privateRegistryIsPushedWithTheSecretsCredentials() {
        MinimalImageStatus status = awaitReady(PRIVATE_REGISTRY_EXAMPLE);
        assertThat(status.getImageRef()).startsWith(env.authRegistry() + "/examples/private-registry@");
        assertThat(authRegistry.dockerContentDigest("examples/private-registry", "1.0")).contains(status.getDigest());
        assertThat(registry.dockerContentDigest("examples/private-registry", "1.0")).as("not the open registry")
                .isEmpty();
    }

    // ------------------------------------------------------------------------------------------- set-up

    /** The followed branch first: it is the one that waits for a poll after its first build. */
    static List<String> applyOrder() throws Exception {
        List<String> folders = new ArrayList<>(Examples.folders());
        folders.remove(FOLLOWED_BRANCH_EXAMPLE);
        folders.add(0, FOLLOWED_BRANCH_EXAMPLE);
        return folders;
    }

    String registryFor(String folder) {
        return folder.equals(PRIVATE_REGISTRY_EXAMPLE) ? env.authRegistry() : env.registry();
    }

    /** Earlier runs' resources of the same names (and the Secrets) would keep their old status: gone first. */
    void deleteWhatAnEarlierRunLeft(List<String> folders) {
        for (String folder : folders) {
            String name = Examples.parse(Examples.substituted(folder, registryFor(folder), "ssh://git@unused"))
                    .getMetadata().getName();
            client.resources(MinimalImage.class).inNamespace(env.namespace()).withName(name).delete();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> images.get(name) == null);
        }
        for (String secret : List.of(Examples.PUSH_SECRET, Examples.GIT_SECRET)) {
            client.secrets().inNamespace(env.namespace()).withName(secret).delete();
            await().atMost(Duration.ofMinutes(1)).until(
                    () -> client.secrets().inNamespace(env.namespace()).withName(secret).get() == null);
        }
    }

    /** Each git example's project/ as the repository its URL names, served over ssh from the node's address. */
    String startGitServer(List<String> folders) throws Exception {
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        gitServer = new SshGitRepositories(user, host, env.gitHost(), Files.createDirectories(work.resolve("git")));
        int port = gitServer.start();
        String base = "ssh://git@" + env.gitHost() + ":" + port;
        for (String folder : folders) {
            if (Examples.hasProject(folder)) {
                MinimalImage example = Examples.parse(Examples.substituted(folder, registryFor(folder), base));
                Git git = Examples.seed(folder, work.resolve("repositories").resolve(folder));
                repositories.put(folder, git);
                seededCommits.put(folder, git.log().setMaxCount(1).call().iterator().next());
                gitServer.add(Examples.repositoryName(example, base), git.getRepository());
            }
        }
        Files.writeString(work.resolve("deploy-key"), SshKeys.pem(user));
        Files.writeString(work.resolve("known_hosts"),
                "[" + env.gitHost() + "]:" + port + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
        gitHostAndPort = env.gitHost() + ":" + port;
        return base;
    }

    /** As examples/README.md says; the password reaches kubectl through the environment, not the command line. */
    void createPushSecret() {
        Processes.run(Duration.ofMinutes(1), List.of("sh", "-c", "\"$KUBECTL\" -n \"$NAMESPACE\" create secret"
                + " docker-registry " + Examples.PUSH_SECRET + " --docker-server=\"$REGISTRY\""
                + " --docker-username=\"$REGISTRY_USER\" --docker-password=\"$REGISTRY_PASSWORD\""),
                Map.of("KUBECTL", env.kubectl(), "NAMESPACE", env.namespace(), "REGISTRY", env.authRegistry(),
                        "REGISTRY_USER", env.authUser(), "REGISTRY_PASSWORD", env.authPassword()), null)
                .requireSuccess("kubectl create secret docker-registry " + Examples.PUSH_SECRET);
    }

    /** As examples/README.md says: the ssh key and known_hosts, then the annotation naming the host. */
    void createGitSecret() {
        kubectl(Duration.ofMinutes(1), "create", "secret", "generic", Examples.GIT_SECRET,
                "--type=kubernetes.io/ssh-auth", "--from-file=ssh-privatekey=" + work.resolve("deploy-key"),
                "--from-file=known_hosts=" + work.resolve("known_hosts"))
                .requireSuccess("kubectl create secret generic " + Examples.GIT_SECRET);
        kubectl(Duration.ofMinutes(1), "annotate", "secret", Examples.GIT_SECRET,
                GitHosts.ANNOTATION + "=" + gitHostAndPort)
                .requireSuccess("kubectl annotate secret " + Examples.GIT_SECRET);
    }

    /** envsubst '$REGISTRY $GIT_BASE' < examples/FOLDER/minimalimage.yaml | kubectl apply -f - */
    void apply(String folder) throws Exception {
        String manifest = Examples.substituted(folder, registryFor(folder), gitBase);
        provideCustomToolchain(Examples.parse(manifest));
        Path file = work.resolve(folder + ".yaml");
        Files.writeString(file, manifest);
        kubectl(Duration.ofMinutes(1), "apply", "-f", file.toString()).requireSuccess("kubectl apply " + folder);
    }

    /** The custom example names a toolchain image in the user's registry: the tier's toolchain image, copied there. */
    void provideCustomToolchain(MinimalImage example) {
        var custom = example.getSpec().getLanguage().getCustom();
        if (custom != null) {
            Processes.run(Duration.ofMinutes(5), List.of("skopeo", "copy", "-q", "--src-tls-verify=false",
                    "--dest-tls-verify=false", "docker://" + env.toolchainImage(), "docker://" + custom.getImage()))
                    .requireSuccess("skopeo copy the toolchain image to " + custom.getImage());
        }
    }

    // ------------------------------------------------------------------------------------------- checks

    MinimalImageStatus awaitReady(String name) {
        MinimalImageStatus status = images.awaitReady(name, () -> describe(name));
        System.out.printf("example %s: %s, %d B binary, %d B compressed, %s -> %s%n", name,
                status.getLink().getVerdict(), status.getBinarySize(), status.getCompressedSize(),
                status.getStartTime(), status.getCompletionTime());
        return status;
    }

    /** Waits until the resource finished a build of {@code commit} (a followed branch moved). */
    MinimalImageStatus awaitBuiltAt(String name, String commit) {
        try {
            await().atMost(NEW_COMMIT_BUILT_WITHIN).pollInterval(Duration.ofSeconds(2)).until(() -> {
                MinimalImageStatus s = images.get(name).getStatus();
                return commit.equals(s.getSourceCommit()) && (s.getPhase() == MinimalImageStatus.Phase.Succeeded
                        || s.getPhase() == MinimalImageStatus.Phase.Failed);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " did not build " + commit + " within " + NEW_COMMIT_BUILT_WITHIN + ":\n"
                    + Serialization.asYaml(images.get(name).getStatus()) + describe(name), e);
        }
        return images.get(name).getStatus();
    }

    /** Pulls the image by digest into a folder of its own (a rebuilt tag must not land on the earlier pull). */
    void assertRuns(MinimalImageStatus status, String name, String tag, String expectedOutput) throws Exception {
        Path pulls = work.resolve("run-" + status.getDigest().replace(':', '-'));
        PushedImages.assertRunsFromEmptyRoot(registry, pulls, status, "examples/" + name, tag, "/app/app",
                expectedOutput);
    }

    String describe(String name) {
        return env.describe(name);
    }

    Processes.Result kubectl(Duration timeout, String... args) {
        return env.kubectl(timeout, args);
    }
}
