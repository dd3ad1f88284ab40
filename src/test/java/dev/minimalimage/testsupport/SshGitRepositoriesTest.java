package dev.minimalimage.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.git.GitAuth;
import dev.minimalimage.git.GitRemoteException;
import dev.minimalimage.git.GitTransport;
import dev.minimalimage.git.RemoteHeads;

/** The examples' git server: each repository at its own path, reached with the operator's own git code. */
class SshGitRepositoriesTest {

    @Test
    void servesEachRepositoryAtItsOwnPathAndRefusesAnUnknownOne(@TempDir Path dir) throws Exception {
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        try (Git first = Git.init().setDirectory(dir.resolve("first").toFile()).setInitialBranch("main").call();
                Git second = Git.init().setDirectory(dir.resolve("second").toFile()).setInitialBranch("main").call()) {
            RevCommit firstCommit = commit(first, "one.txt");
            RevCommit secondCommit = commit(second, "two.txt");
            SshGitRepositories server = new SshGitRepositories(user, host, "127.0.0.1", dir);
            server.add("first.git", first.getRepository());
            server.add("second.git", second.getRepository());
            int port = server.start();
            try {
                String base = "ssh://git@127.0.0.1:" + port;
                GitAuth auth = GitAuth.ssh(SshKeys.pem(user).getBytes(StandardCharsets.US_ASCII),
                        ("[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(host.getPublic()) + "\n")
                                .getBytes(StandardCharsets.US_ASCII));
                RemoteHeads heads = new RemoteHeads();
                assertThat(heads.resolve(base + "/first.git", "main", auth).commit()).isEqualTo(firstCommit.name());
                assertThat(heads.resolve(base + "/second.git", "main", auth).commit()).isEqualTo(secondCommit.name());
                assertThatThrownBy(() -> heads.resolve(base + "/third.git", "main", auth))
                        .isInstanceOf(GitRemoteException.class);

                Path clone = dir.resolve("clone");
                try (GitTransport transport = GitTransport.open(auth);
                        Git cloned = transport.configure(Git.cloneRepository()).setURI(base + "/second.git")
                                .setDirectory(clone.toFile()).call()) {
                    assertThat(cloned.getRepository().resolve("HEAD").name()).isEqualTo(secondCommit.name());
                }
                assertThat(clone.resolve("two.txt")).hasContent("two.txt");
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void readsTheRepositoryNameAsGitAndJGitSendIt() {
        assertThat(SshGitRepositories.repositoryName("git-upload-pack '/go-module.git'")).isEqualTo("go-module.git");
        assertThat(SshGitRepositories.repositoryName("git-upload-pack go-module.git")).isEqualTo("go-module.git");
        assertThat(SshGitRepositories.repositoryName("git-receive-pack '/go-module.git'")).isNull();
    }

    private static RevCommit commit(Git git, String file) throws Exception {
        Files.writeString(git.getRepository().getWorkTree().toPath().resolve(file), file);
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(file).setAuthor("t", "t@example.org").setSign(false).call();
    }
}
