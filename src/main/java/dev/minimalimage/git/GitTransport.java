package dev.minimalimage.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * {@link GitAuth} applied to a JGit command (clone, ls-remote): a username/password provider for https, and for ssh a
 * session factory that uses only the given key and known_hosts (never ~/.ssh or an ssh config), with password and
 * keyboard-interactive logins off. The key and known_hosts are written to a private scratch directory (mode 0700,
 * key 0600) that {@link #close()} deletes.
 */
public final class GitTransport implements AutoCloseable {

    /**
     * JGit's transports that no MinimalImage can name (https and ssh only), unregistered before any of ours runs:
     * amazon-s3:// is the only user of java.xml the builder image could reach (its bucket listing), sftp:// the only
     * user of sshd-sftp; without them the image leaves java.xml, java.sql and sshd-sftp out (scripts/image.sh
     * UNREACHABLE_GATES). Such a URL then fails as any unknown one: JGit's "URI not supported".
     */
    static final Set<String> UNUSED_SCHEMES = Set.of("amazon-s3", "sftp");

    static {
        for (TransportProtocol protocol : Transport.getTransportProtocols()) {
            if (!Collections.disjoint(protocol.getSchemes(), UNUSED_SCHEMES)) {
                Transport.unregister(protocol);
            }
        }
    }

    private final GitAuth auth;
    private final Path scratch;
    private final SshdSessionFactory ssh;

    private GitTransport(GitAuth auth, Path scratch, SshdSessionFactory ssh) {
        this.auth = auth;
        this.scratch = scratch;
        this.ssh = ssh;
    }

    public static GitTransport open(GitAuth auth) throws IOException {
        if (!auth.isSsh()) {
            return new GitTransport(auth, null, null);
        }
        Path scratch = Files.createTempDirectory("git-ssh");
        try {
            Path sshDir = Files.createDirectories(scratch.resolve("ssh"));
            Path key = Files.write(sshDir.resolve("id_key"), new byte[0]);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Files.write(key, auth.sshPrivateKey());
            Path knownHosts = Files.write(sshDir.resolve(GitAuth.KNOWN_HOSTS), auth.knownHosts());
            SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(scratch.toFile())
                    .setSshDirectory(sshDir.toFile())
                    .setConfigFile(ignored -> null)
                    .setDefaultIdentities(ignored -> List.of(key))
                    .setDefaultKnownHostsFiles(ignored -> List.of(knownHosts))
                    .setPreferredAuthentications("publickey")
                    .build(new JGitKeyCache());
            return new GitTransport(auth, scratch, factory);
        } catch (IOException | RuntimeException e) {
            deleteTree(scratch);
            throw e;
        }
    }

    /** Sets the credentials provider (https) and the ssh session factory (ssh) on the command; returns it. */
    public <C extends TransportCommand<C, ?>> C configure(C command) {
        if (auth.isBasic()) {
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(auth.username(), auth.password()));
        }
        if (ssh != null) {
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof SshTransport sshTransport) {
                    sshTransport.setSshSessionFactory(ssh);
                }
            });
        }
        return command;
    }

    /** Closes the ssh sessions and deletes the copy of the private key. */
    @Override
    public void close() throws IOException {
        if (ssh != null) {
            ssh.close();
        }
        if (scratch != null) {
            deleteTree(scratch);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
