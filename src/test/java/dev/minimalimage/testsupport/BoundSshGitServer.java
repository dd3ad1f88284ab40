package dev.minimalimage.testsupport;

import java.security.KeyPair;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;

/** JGit's SSH git server (Apache MINA sshd), which listens on every interface by default, bound to one address. */
public final class BoundSshGitServer extends SshTestGitServer {

    public BoundSshGitServer(KeyPair user, Git git, KeyPair host, String address) throws Exception {
        super("git", user.getPublic(), git.getRepository(), host);
        server.setHost(address);
    }
}
