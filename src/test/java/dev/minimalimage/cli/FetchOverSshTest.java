package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.BoundSshGitServer;
import dev.minimalimage.testsupport.SshKeys;

/**
 * `fetch` over ssh against a real SSH git server (JGit's test server on Apache MINA sshd): the secret's key
 * authenticates, the host key is verified against the secret's known_hosts, and an unknown host is refused.
 */
class FetchOverSshTest {

    @Test
    void clonesWithTheSecretsKeyAndVerifiesTheHost(@TempDir Path dir) throws Exception {
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        Path origin = dir.resolve("origin");
        RevCommit commit;
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.writeString(origin.resolve("main.go"), "package main\nfunc main() {}\n");
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("init").setAuthor("t", "t@example.org").setSign(false).call();
            SshTestGitServer server = new BoundSshGitServer(user, git, host, "127.0.0.1");
            int port = server.start();
            try {
                String url = "ssh://git@127.0.0.1:" + port + "/repo";
                Path secret = Files.createDirectories(dir.resolve("secret"));
                Files.writeString(secret.resolve("ssh-privatekey"), SshKeys.pem(user));

                CliRun noKnownHosts = CliRun.of("fetch", "--url", url, "--dest", dir.resolve("a").toString(),
                        "--credentials-dir", secret.toString());
                assertThat(noKnownHosts.exitCode()).isEqualTo(2);
                assertThat(noKnownHosts.stderr()).contains("known_hosts");

                Files.writeString(secret.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                        + PublicKeyEntry.toString(SshKeys.rsa().getPublic()) + "\n");
                CliRun wrongHost = CliRun.of("fetch", "--url", url, "--dest", dir.resolve("b").toString(),
                        "--credentials-dir", secret.toString());
                assertThat(wrongHost.exitCode()).as(wrongHost.all()).isEqualTo(FetchCommand.FETCH_FAILED);

                Files.writeString(secret.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                        + PublicKeyEntry.toString(host.getPublic()) + "\n");
                CliRun fetched = CliRun.of("fetch", "--url", url, "--revision", "main", "--dest",
                        dir.resolve("c").toString(), "--credentials-dir", secret.toString(), "--source-info",
                        dir.resolve("source-info.json").toString());
                assertThat(fetched.exitCode()).as(fetched.all()).isZero();
                assertThat(SourceInfo.read(dir.resolve("source-info.json"))).isEqualTo(new SourceInfo(
                        "ssh://git@127.0.0.1:" + port + "/repo", commit.name(), commit.getCommitTime()));
                assertThat(fetched.stdout()).contains(commit.name());
                assertThat(dir.resolve("c/main.go")).exists();
                assertThat(fetched.all()).doesNotContain("PRIVATE KEY");
            } finally {
                server.stop();
            }
        }
    }
}
