import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.revwalk.RevCommit;

import dev.minimalimage.testsupport.SshKeys;

/**
 * bench/GitServe.java ADDRESS DIR NAME=FILE... — the git server of bench/cluster.sh's `git` step: the same one the
 * cluster tests serve to builder pods (JGit's SSH server, Apache MINA sshd, as src/test/.../BoundSshGitServer), bound
 * to ADDRESS only (the node's address inside the cluster's network namespace), serving one repository on branch main
 * with one commit of the given files (NAME in the repository, FILE its content). Run with the source launcher:
 * {@code java -cp "target/quarkus-app/lib/main/*:target/test-classes:<org.eclipse.jgit.junit.ssh jar>" bench/GitServe.java ...}
 * (the tests' SshKeys for the key pairs).
 *
 * Writes into DIR (made 0700): repo/ (the repository), ssh-privatekey (a fresh RSA key of the only user, PKCS#8 PEM
 * as a kubernetes.io/ssh-auth Secret carries it), known_hosts (the fresh host key for [ADDRESS]:PORT), commit, and
 * last `port` (its appearance says the server is up). Serves until the process is killed (SIGTERM).
 */
public final class GitServe {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: GitServe ADDRESS DIR NAME=FILE...");
            System.exit(2);
        }
        String address = args[0];
        Path dir = Files.createDirectories(Path.of(args[1]));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path origin = dir.resolve("repo");
        Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call();
        for (int i = 2; i < args.length; i++) {
            String[] nameAndFile = args[i].split("=", 2);
            Path target = origin.resolve(nameAndFile[0]);
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(nameAndFile[1]), target);
        }
        git.add().addFilepattern(".").call();
        RevCommit commit = git.commit().setMessage("bench").setAuthor("bench", "bench@example.org").setSign(false)
                .call();
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        SshTestGitServer server = new SshTestGitServer("git", user.getPublic(), git.getRepository(), host) {
            {
                this.server.setHost(address); // not every interface (sshd's default)
            }
        };
        int port = server.start();
        Files.writeString(dir.resolve("ssh-privatekey"), SshKeys.pem(user));
        Files.writeString(dir.resolve("known_hosts"),
                "[" + address + "]:" + port + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
        Files.writeString(dir.resolve("commit"), commit.name() + "\n");
        Files.writeString(dir.resolve("port"), port + "\n");
        System.err.println("GitServe: ssh://git@" + address + ":" + port + "/repo.git at " + commit.name());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("GitServe: stopping: " + e);
            }
        }));
        Thread.currentThread().join();
    }
}
