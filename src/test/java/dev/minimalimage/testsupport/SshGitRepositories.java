package dev.minimalimage.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;
import org.apache.sshd.server.command.AbstractCommandSupport;

/**
 * JGit's SSH git server, bound to one address, serving several repositories by path: {@code ssh://git@HOST:PORT/NAME}
 * is the repository added as NAME (JGit's own server answers every path with its one repository). Clone, fetch and
 * ls-remote only (upload-pack); a test moves a branch by committing to the served repository itself.
 */
public final class SshGitRepositories extends SshTestGitServer {

    private static final String UPLOAD_PACK = "git-upload-pack";
    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

    /** {@code workDir}: an empty bare repository is made there (JGit's server roots its unused sftp at it). */
    public SshGitRepositories(KeyPair user, KeyPair host, String address, Path workDir) throws GitAPIException {
        super("git", user.getPublic(), emptyRepository(workDir), host);
        server.setHost(address);
        server.setCommandFactory((channel, command) -> new UploadPackCommand(command));
    }

    private static Repository emptyRepository(Path workDir) throws GitAPIException {
        try (Git git = Git.init().setBare(true).setDirectory(workDir.resolve("empty.git").toFile()).call()) {
            return git.getRepository();
        }
    }

    /** Serves {@code repository} at the path {@code /name}. */
    public void add(String name, Repository repository) {
        repositories.put(name, repository);
    }

    /** The name in {@code git-upload-pack '/name'} (git quotes the path; JGit may leave the slash off). */
    static String repositoryName(String command) {
        if (!command.startsWith(UPLOAD_PACK + " ")) {
            return null;
        }
        String path = command.substring(UPLOAD_PACK.length()).strip();
        if (path.length() >= 2 && path.startsWith("'") && path.endsWith("'")) {
            path = path.substring(1, path.length() - 1);
        }
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private final class UploadPackCommand extends AbstractCommandSupport {
        UploadPackCommand(String command) {
            super(command, null);
        }

        @Override
        public void run() {
            String name = repositoryName(getCommand());
            if (name == null) {
                refuse("only " + UPLOAD_PACK + " is served, not: " + getCommand());
                return;
            }
            Repository repository = repositories.get(name);
            if (repository == null) {
                refuse("no repository '" + name + "' here; served: " + repositories.keySet());
                return;
            }
            try (UploadPack upload = new UploadPack(repository)) {
                String protocol = getEnvironment().getEnv().get("GIT_PROTOCOL");
                if (protocol != null) {
                    upload.setExtraParameters(Collections.singleton(protocol));
                }
                upload.upload(getInputStream(), getOutputStream(), getErrorStream());
                onExit(0);
            } catch (IOException e) {
                onExit(-1, e.toString());
            }
        }

        private void refuse(String message) {
            try {
                OutputStream err = getErrorStream();
                err.write(("fatal: " + message + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
            } catch (IOException e) {
                // the client has gone: the exit status below is all that is left to give
            }
            onExit(128, message);
        }
    }
}
