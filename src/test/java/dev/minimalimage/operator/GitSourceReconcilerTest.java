package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.testsupport.PodSteps;
import dev.minimalimage.api.v1alpha1.CaBundle;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.git.GitHosts;
import dev.minimalimage.operator.cluster.BranchLookups;
import dev.minimalimage.testsupport.BoundSshGitServer;
import dev.minimalimage.testsupport.SshKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Git sources against the mock API server and a real SSH git server on 127.0.0.1: a credentials Secret is used only
 * for the hosts its owner listed, a followed branch is looked up with ls-remote and built at exactly that commit,
 * and a CA bundle the pod could not mount is refused before any pod exists.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitSourceReconcilerTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "default";

    @Inject
    KubernetesClient client;

    @AfterEach
    void deleteWhatTheTestLeft() {
        Resources.deleteAll(client, NS);
    }

    Path origin;
    Git repo;
    SshTestGitServer server;
    String url;
    String hostPort;
    KeyPair user;
    KeyPair host;

    @BeforeAll
    void startGitServer() throws Exception {
        user = SshKeys.rsa();
        host = SshKeys.rsa();
        origin = Files.createTempDirectory("origin");
        repo = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call();
        commit("int main(void){return 0;}\n");
        server = new BoundSshGitServer(user, repo, host, "127.0.0.1");
        int port = server.start();
        url = "ssh://git@127.0.0.1:" + port + "/repo";
        hostPort = "127.0.0.1:" + port;
    }

    @AfterAll
    void stopGitServer() throws Exception {
        server.stop();
        repo.close();
    }

    @Test
    void aGitSecretIsUsedOnlyForTheHostsItsAnnotationNames() {
        createSecret("unannotated", Map.of());
        create(gitResource("not-allowed", "unannotated", null));
        MinimalImageStatus refused = awaitStatus("not-allowed", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(refused).getReason()).isEqualTo("GitSecretNotAllowed");
        assertThat(ready(refused).getMessage()).contains("Secret unannotated may not be sent to " + hostPort,
                GitHosts.ANNOTATION + " is missing or empty").doesNotContain("PRIVATE KEY");
        assertThat(pods("not-allowed")).isEmpty();

        createSecret("elsewhere", Map.of(GitHosts.ANNOTATION, "git.example.com"));
        create(gitResource("other-host", "elsewhere", null));
        MinimalImageStatus other = awaitStatus("other-host", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(other).getMessage()).contains("does not list that host");

        // the owner annotates the Secret: its event wakes the resource, no spec edit needed
        client.secrets().inNamespace(NS).withName("unannotated").edit(s -> {
            s.getMetadata().setAnnotations(Map.of(GitHosts.ANNOTATION, hostPort));
            return s;
        });
        await().atMost(TIMEOUT).until(() -> !pods("not-allowed").isEmpty());
    }

    /**
     * The first look-up only: when the branch moves, the next look-up comes from the operator's own timer a
     * pollInterval (at least a minute) later, which runs for real on the cluster (ExamplesIT's followed branch); the
     * schedule is TimersTest's, the new commit's build BuildStateTableTest's.
     */
    @Test
    void aFollowedBranchIsBuiltAtTheHeadLookedUpAndThePollIsRecorded() throws Exception {
        createSecret("follow-creds", Map.of(GitHosts.ANNOTATION, hostPort));
        String head = repo.getRepository().resolve("refs/heads/main").name();
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        create(gitResource("follow", "follow-creds", "1m"));
        Pod pod = awaitPod("follow", head);
        MinimalImageStatus status = awaitStatus("follow", s -> s.getTrackedCommit() != null);
        assertThat(status.getTrackedCommit()).isEqualTo(head);
        assertThat(Instant.parse(status.getLastPollTime())).isAfterOrEqualTo(before);
        assertThat(fetchArgs(pod)).containsSequence("--revision", head);
    }

    /**
     * A git host that takes the connection and never answers holds a look-up for its whole timeout (20 s). More such
     * followed branches than the operator has reconcile threads (10) must not hold up another resource: the look-ups
     * run off the reconcile threads, and their resources wait without a status that blames the branch.
     */
    @Test
    void followedBranchesOnASilentHostHoldUpNoOtherBuild() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // read nothing, answer nothing
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try {
                for (int i = 0; i < 12; i++) {
                    MinimalImage follower = gitResource("silent-" + i, null, "1m");
                    follower.getSpec().getSource().getGit().setUrl("https://127.0.0.1:" + silent.getLocalPort() + "/repo.git");
                    create(follower);
                }
                await().atMost(TIMEOUT).until(() -> held.size() >= BranchLookups.THREADS); // the rest wait their turn
                create(Resources.helloC("beside", "registry.example/beside:1"));
                // reconciled at all: a pod, or Queued when earlier tests' builds hold the slots
                await().atMost(Duration.ofSeconds(8)).until(() -> Optional.ofNullable(client.resources(MinimalImage.class)
                        .inNamespace(NS).withName("beside").get().getStatus()).map(MinimalImageStatus::getConditions)
                        .filter(conditions -> conditions.stream().anyMatch(c -> "Ready".equals(c.getType()))).isPresent());
                for (int i = 0; i < 12; i++) {
                    MinimalImageStatus waiting = client.resources(MinimalImage.class).inNamespace(NS)
                            .withName("silent-" + i).get().getStatus();
                    assertThat(waiting == null ? List.of() : waiting.getConditions())
                            .as("silent-%d says nothing while its head is being looked up: %s", i,
                                    io.fabric8.kubernetes.client.utils.Serialization.asJson(waiting)).isEmpty();
                    assertThat(pods("silent-" + i)).isEmpty();
                }
            } finally {
                for (Socket socket : held) {
                    socket.close(); // the look-ups end now, not 20 s into the next tests
                }
            }
        }
    }

    @Test
    void aCaBundleThePodCouldNotMountIsRefusedBeforeAnyPod() {
        MinimalImage resource = Resources.helloC("ca-missing", "registry.example/ca:1");
        resource.getSpec().getBuild().setCaBundle(new CaBundle("corporate-ca", "ca.crt"));
        create(resource);
        MinimalImageStatus refused = awaitStatus("ca-missing", s -> s.getPhase() == MinimalImageStatus.Phase.Failed);
        assertThat(ready(refused).getReason()).isEqualTo("CaBundleInvalid");
        assertThat(ready(refused).getMessage()).isEqualTo("spec.build.caBundle: no ConfigMap corporate-ca in namespace "
                + NS);

        client.resource(new ConfigMapBuilder().withNewMetadata().withName("corporate-ca").withNamespace(NS)
                .endMetadata().withData(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\n")).build()).create();
        client.resources(MinimalImage.class).inNamespace(NS).withName("ca-missing")
                .edit(r -> { r.getSpec().setRebuild("ca added"); return r; });
        await().atMost(TIMEOUT).until(() -> !pods("ca-missing").isEmpty());
        Pod pod = pods("ca-missing").get(0);
        Container pack = PodSteps.step(pod, BuilderLayout.PACKAGE_CONTAINER);
        assertThat(pack.getArgs()).containsSequence("--ca-bundle", "/etc/minimal-image/ca/ca.crt");
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap() == null ? null
                : v.getConfigMap().getName()).isEqualTo("corporate-ca"));
    }

    // ---- helpers

    RevCommit commit(String mainC) throws Exception {
        Files.writeString(origin.resolve("main.c"), mainC);
        repo.add().addFilepattern(".").call();
        return repo.commit().setMessage("change").setAuthor("t", "t@example.org").setSign(false).call();
    }

    void createSecret(String name, Map<String, String> annotations) {
        client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withAnnotations(annotations).endMetadata().withType("kubernetes.io/ssh-auth")
                .withStringData(Map.of("ssh-privatekey", SshKeys.pem(user), "known_hosts",
                        "[127.0.0.1]:" + hostPort.substring(hostPort.indexOf(':') + 1) + " "
                                + PublicKeyEntry.toString(host.getPublic()) + "\n"))
                .build()).create();
    }

    MinimalImage gitResource(String name, String secret, String pollInterval) {
        MinimalImage resource = Resources.helloC(name, "registry.example/" + name + ":1");
        Source.Git git = new Source.Git();
        git.setUrl(url);
        git.setRevision("main");
        git.setCredentialsSecret(secret);
        git.setPollInterval(pollInterval);
        resource.getSpec().getSource().setInline(null);
        resource.getSpec().getSource().setGit(git);
        return resource;
    }

    static List<String> fetchArgs(Pod pod) {
        return PodSteps.step(pod, "fetch").getArgs();
    }

    Pod awaitPod(String name, String revision) {
        await().atMost(TIMEOUT).until(() -> pods(name).stream().anyMatch(p -> fetchArgs(p).contains(revision)));
        return pods(name).stream().filter(p -> fetchArgs(p).contains(revision)).findFirst().orElseThrow();
    }

    void create(MinimalImage resource) {
        resource.getMetadata().setNamespace(NS);
        client.resource(resource).create();
    }

    List<Pod> pods(String name) {
        return client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith(name + "-build-")).toList();
    }

    MinimalImageStatus awaitStatus(String name, java.util.function.Predicate<MinimalImageStatus> condition) {
        await().atMost(TIMEOUT).until(() -> Optional.ofNullable(client.resources(MinimalImage.class).inNamespace(NS)
                .withName(name).get().getStatus()).filter(condition).isPresent());
        return client.resources(MinimalImage.class).inNamespace(NS).withName(name).get().getStatus();
    }

    static Condition ready(MinimalImageStatus status) {
        return status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
    }
}
