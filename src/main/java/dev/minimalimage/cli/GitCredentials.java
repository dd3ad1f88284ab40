package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Credentials from a mounted Secret: `username`/`password` (kubernetes.io/basic-auth) for https, or
 * `ssh-privatekey` (kubernetes.io/ssh-auth) plus `known_hosts` for ssh. Host keys are always verified: an ssh
 * secret without known_hosts is refused rather than trusting whatever answers.
 */
final class GitCredentials {

    static final String PASSWORD = "password";
    static final String USERNAME = "username";
    static final String SSH_KEY = "ssh-privatekey";
    static final String KNOWN_HOSTS = "known_hosts";

    private GitCredentials() {
    }

    static CredentialsProvider https(Path dir) throws IOException {
        if (dir == null || !Files.isRegularFile(dir.resolve(PASSWORD))) {
            return null;
        }
        String user = Files.isRegularFile(dir.resolve(USERNAME)) ? Files.readString(dir.resolve(USERNAME)).strip() : "git";
        return new UsernamePasswordCredentialsProvider(user, Files.readString(dir.resolve(PASSWORD)).strip());
    }

    /** An ssh session factory using only the secret's key and known hosts (never ~/.ssh), or null without a key. */
    static SshdSessionFactory ssh(Path dir, Path scratch) throws IOException {
        if (dir == null || !Files.isRegularFile(dir.resolve(SSH_KEY))) {
            return null;
        }
        if (!Files.isRegularFile(dir.resolve(KNOWN_HOSTS))) {
            throw new IllegalArgumentException("the git credentials have ssh-privatekey but no known_hosts;"
                    + " add the server's host key (ssh-keyscan HOST) so it can be verified");
        }
        Path sshDir = Files.createDirectories(scratch.resolve("ssh"));
        Path key = copyPrivate(dir.resolve(SSH_KEY), sshDir.resolve("id_key"));
        Path knownHosts = Files.copy(dir.resolve(KNOWN_HOSTS), sshDir.resolve(KNOWN_HOSTS));
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(scratch.toFile())
                .setSshDirectory(sshDir.toFile())
                .setConfigFile(ignored -> null)
                .setDefaultIdentities(ignored -> List.of(key))
                .setDefaultKnownHostsFiles(ignored -> List.of(knownHosts))
                .setPreferredAuthentications("publickey")
                .build(new JGitKeyCache());
    }

    static TransportConfigCallback using(SshdSessionFactory factory) {
        return transport -> {
            if (factory != null && transport instanceof SshTransport ssh) {
                ssh.setSshSessionFactory(factory);
            }
        };
    }

    private static Path copyPrivate(Path from, Path to) throws IOException {
        Files.copy(from, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
        return to;
    }
}
