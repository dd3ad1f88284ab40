package dev.minimalimage.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.BoundSshGitServer;
import dev.minimalimage.testsupport.HttpRefsGitServer;
import dev.minimalimage.testsupport.SshKeys;

/** ls-remote against real remotes: a bare repository via file://, an SSH git server and an HTTP server (smart protocol, ref advertisement). */
class RemoteHeadsTest {

    private final RemoteHeads heads = new RemoteHeads(Duration.ofSeconds(10));

    @Test
    void resolvesBranchesTagsHeadAndSeesABranchMove(@TempDir Path dir) throws Exception {
        Path origin = dir.resolve("origin.git");
        Git.init().setBare(true).setDirectory(origin.toFile()).setInitialBranch("main").call().close();
        String url = origin.toUri().toString();
        try (Git work = Git.init().setDirectory(dir.resolve("work").toFile()).setInitialBranch("main").call()) {
            RevCommit first = commit(work, "first");
            Ref annotated = work.tag().setName("v1").setAnnotated(true).setMessage("v1").setSigned(false).call();
            work.tag().setName("light").setAnnotated(false).call();
            RevCommit second = commit(work, "second");
            work.branchCreate().setName("dev").setStartPoint(first).call();
            work.tag().setName("dev").setAnnotated(false).setObjectId(second).call(); // a tag named like a branch
            push(work, origin);

            assertThat(heads.resolve(url, "main", GitAuth.none())).isEqualTo(new RemoteRevision(second.name(), "refs/heads/main"));
            assertThat(heads.resolve(url, "", GitAuth.none())).isEqualTo(new RemoteRevision(second.name(), "HEAD"));
            assertThat(heads.resolve(url, null, GitAuth.none()).commit()).isEqualTo(second.name());
            assertThat(heads.resolve(url, "refs/heads/dev", GitAuth.none()).commit()).isEqualTo(first.name());
            assertThat(heads.resolve(url, "dev", GitAuth.none()).ref()).as("a branch wins over a tag").isEqualTo("refs/heads/dev");
            assertThat(heads.resolve(url, "refs/tags/dev", GitAuth.none()).commit()).isEqualTo(second.name());
            assertThat(heads.resolve(url, "light", GitAuth.none()).commit()).isEqualTo(first.name());
            assertThat(annotated.getObjectId().name()).isNotEqualTo(first.name());
            assertThat(heads.resolve(url, "v1", GitAuth.none()))
                    .as("an annotated tag is peeled to its commit").isEqualTo(new RemoteRevision(first.name(), "refs/tags/v1"));
            assertThat(heads.resolve(origin.toString(), "main", GitAuth.none()).commit()).as("a local path").isEqualTo(second.name());

            RevCommit third = commit(work, "third");
            push(work, origin);
            assertThat(heads.resolve(url, "main", GitAuth.none()).commit()).isEqualTo(third.name());

            assertThatThrownBy(() -> heads.resolve(url, "nope", GitAuth.none()))
                    .isInstanceOfSatisfying(GitRemoteException.class, e -> {
                        assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.NO_SUCH_REF);
                        assertThat(e.maskedUrl()).isEqualTo(url);
                    })
                    .hasMessage("git ls-remote " + url + ": no branch or tag \"nope\" (branches: dev, main)");
            for (int i = 0; i < 7; i++) {
                work.branchCreate().setName("b" + i).call();
            }
            push(work, origin);
            assertThatThrownBy(() -> heads.resolve(url, "nope", GitAuth.none()))
                    .hasMessageEndingWith("(branches: b0, b1, b2, b3, b4 and 4 more)");
        }
    }

    @Test
    void aShaIsItselfWithoutNetworkAndFailuresAreClassifiedAndMasked(@TempDir Path dir) throws Exception {
        String sha = "0123456789ABCDEF0123456789abcdef01234567";
        assertThat(heads.resolve("https://unreachable.invalid/x.git", sha, GitAuth.none()))
                .isEqualTo(new RemoteRevision(sha.toLowerCase(), null));

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String secretUrl = "https://user:s3cret@127.0.0.1:" + closedPort + "/x.git?private_token=t0ken";
        assertThatThrownBy(() -> heads.resolve(secretUrl, "main", GitAuth.basic("u", "hunter2")))
                .isInstanceOfSatisfying(GitRemoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.UNREACHABLE))
                .hasMessageStartingWith("git ls-remote https://***@127.0.0.1:" + closedPort
                        + "/x.git?***: unreachable (connection failed")
                .message().doesNotContain("s3cret", "t0ken", "hunter2");

        Path empty = Files.createDirectories(dir.resolve("not-a-repo"));
        assertThatThrownBy(() -> heads.resolve(empty.toUri().toString(), "main", GitAuth.none()))
                .isInstanceOfSatisfying(GitRemoteException.class,
                        e -> assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.NOT_A_REPOSITORY));
    }

    @Test
    void overSshWithTheKeyAndVerifiedHost(@TempDir Path dir) throws Exception {
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        try (Git git = Git.init().setDirectory(dir.resolve("origin").toFile()).setInitialBranch("main").call()) {
            RevCommit commit = commit(git, "init");
            SshTestGitServer server = new BoundSshGitServer(user, git, host, "127.0.0.1");
            int port = server.start();
            try {
                String url = "ssh://git@127.0.0.1:" + port + "/repo";
                byte[] key = SshKeys.pem(user).getBytes(StandardCharsets.US_ASCII);
                GitAuth good = GitAuth.ssh(key, knownHosts(port, host));
                assertThat(heads.resolve(url, "main", good).commit()).isEqualTo(commit.name());
                assertThat(heads.resolve(url, "", good).commit()).isEqualTo(commit.name());

                assertThatThrownBy(() -> heads.resolve(url, "main", GitAuth.ssh(key, knownHosts(port, SshKeys.rsa()))))
                        .isInstanceOfSatisfying(GitRemoteException.class,
                                e -> assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.HOST_KEY_REJECTED))
                        .hasMessage("git ls-remote " + url + ": the server's host key is not in known_hosts"
                                + " (Server key did not validate)");
                byte[] otherKey = SshKeys.pem(SshKeys.rsa()).getBytes(StandardCharsets.US_ASCII);
                assertThatThrownBy(() -> heads.resolve(url, "main", GitAuth.ssh(otherKey, knownHosts(port, host))))
                        .isInstanceOfSatisfying(GitRemoteException.class,
                                e -> assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.AUTH_FAILED));
                assertThatThrownBy(() -> GitAuth.ssh(key, null)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("known_hosts");
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void overHttpsStyleBasicAuthWithUsernameAndPassword(@TempDir Path dir) throws Exception {
        try (Git git = Git.init().setDirectory(dir.resolve("work").toFile()).setInitialBranch("main").call();
                Git bare = Git.init().setBare(true).setDirectory(dir.resolve("origin.git").toFile())
                        .setInitialBranch("main").call()) {
            RevCommit commit = commit(git, "init");
            git.tag().setName("v1").setAnnotated(true).setMessage("v1").setSigned(false).call();
            push(git, dir.resolve("origin.git"));
            try (HttpRefsGitServer server = new HttpRefsGitServer(bare.getRepository(), "alice", "p4ss")) {
                GitAuth alice = GitAuth.basic("alice", "p4ss");
                assertThat(heads.resolve(server.url(), "main", alice).commit()).isEqualTo(commit.name());
                assertThat(heads.resolve(server.url(), "v1", alice).commit()).isEqualTo(commit.name());
                assertThat(heads.resolve(server.url(), "", alice).commit()).isEqualTo(commit.name());

                assertThatThrownBy(() -> heads.resolve(server.url(), "main", GitAuth.basic("alice", "wrong-pw")))
                        .isInstanceOfSatisfying(GitRemoteException.class,
                                e -> assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.AUTH_FAILED))
                        .hasMessage("git ls-remote " + server.url() + ": authentication failed (not authorized)");
                assertThatThrownBy(() -> heads.resolve(server.url(), "main", GitAuth.none()))
                        .isInstanceOfSatisfying(GitRemoteException.class,
                                e -> assertThat(e.reason()).isEqualTo(GitRemoteException.Reason.AUTH_FAILED));
                String inUrl = server.url().replace("http://", "http://alice:p4ss@");
                assertThat(heads.resolve(inUrl, "main", GitAuth.none()).commit()).as("credentials in the URL")
                        .isEqualTo(commit.name());
                assertThatThrownBy(() -> heads.resolve(inUrl, "nope", GitAuth.none()))
                        .hasMessageStartingWith("git ls-remote http://***@127.0.0.1:").message().doesNotContain("p4ss");
            }
        }
    }

    private static byte[] knownHosts(int port, KeyPair host) {
        return ("[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(host.getPublic()) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static RevCommit commit(Git git, String message) throws Exception {
        Path file = git.getRepository().getWorkTree().toPath().resolve("f.txt");
        Files.writeString(file, message + "\n");
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("t", "t@example.org").setSign(false).call();
    }

    private static void push(Git work, Path bare) throws Exception {
        work.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
                .setPushTags().call();
    }
}
