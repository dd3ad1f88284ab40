package dev.minimalimage.git;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Credentials for a git remote, as a Kubernetes Secret carries them: {@value #USERNAME}/{@value #PASSWORD}
 * (kubernetes.io/basic-auth) for https, or {@value #SSH_KEY} (kubernetes.io/ssh-auth) plus {@value #KNOWN_HOSTS}
 * for ssh. Host keys are always verified: a key without known_hosts is refused rather than trusting whatever
 * answers. {@link #toString()} never shows a secret.
 */
public final class GitAuth {

    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";
    public static final String SSH_KEY = "ssh-privatekey";
    public static final String KNOWN_HOSTS = "known_hosts";

    private static final GitAuth NONE = new GitAuth(null, null, null, null);

    private final String username;
    private final String password;
    private final byte[] sshPrivateKey;
    private final byte[] knownHosts;

    private GitAuth(String username, String password, byte[] sshPrivateKey, byte[] knownHosts) {
        this.username = username;
        this.password = password;
        this.sshPrivateKey = sshPrivateKey;
        this.knownHosts = knownHosts;
    }

    /** Anonymous access (public repositories, file:// in tests). */
    public static GitAuth none() {
        return NONE;
    }

    /** https user and password (or token); a null or blank user becomes "git", as most hosts accept with a token. */
    public static GitAuth basic(String username, String password) {
        if (password == null) {
            throw new IllegalArgumentException("the git credentials have no " + PASSWORD);
        }
        String user = username == null || username.isBlank() ? "git" : username.strip();
        return new GitAuth(user, password.strip(), null, null);
    }

    /**
     * An ssh private key (OpenSSH or PEM) and the known_hosts lines that verify the server.
     *
     * @throws IllegalArgumentException without a key or without known_hosts (the message holds no secret)
     */
    public static GitAuth ssh(byte[] privateKey, byte[] knownHosts) {
        if (privateKey == null || privateKey.length == 0) {
            throw new IllegalArgumentException("the git credentials have no " + SSH_KEY);
        }
        if (knownHosts == null || new String(knownHosts, StandardCharsets.UTF_8).isBlank()) {
            throw new IllegalArgumentException("the git credentials have " + SSH_KEY + " but no " + KNOWN_HOSTS
                    + "; add the server's host key (ssh-keyscan HOST) so it can be verified");
        }
        return new GitAuth(null, null, privateKey.clone(), knownHosts.clone());
    }

    /**
     * From a Secret's data (decoded): {@value #SSH_KEY} (+ {@value #KNOWN_HOSTS}) makes ssh credentials,
     * {@value #PASSWORD} (+ optional {@value #USERNAME}) https ones (both may be present), neither makes none.
     *
     * @throws IllegalArgumentException for an ssh key without known_hosts
     */
    public static GitAuth fromSecretData(Map<String, byte[]> data) {
        if (data == null) {
            return NONE;
        }
        GitAuth ssh = data.get(SSH_KEY) == null ? null : ssh(data.get(SSH_KEY), data.get(KNOWN_HOSTS));
        GitAuth basic = null;
        if (data.get(PASSWORD) != null) {
            byte[] user = data.get(USERNAME);
            basic = basic(user == null ? null : new String(user, StandardCharsets.UTF_8),
                    new String(data.get(PASSWORD), StandardCharsets.UTF_8));
        }
        if (ssh != null && basic != null) { // the transport picks what the URL's scheme uses
            return new GitAuth(basic.username, basic.password, ssh.sshPrivateKey, ssh.knownHosts);
        }
        return ssh != null ? ssh : basic != null ? basic : NONE;
    }

    public boolean isNone() {
        return this == NONE || (password == null && sshPrivateKey == null);
    }

    public boolean isSsh() {
        return sshPrivateKey != null;
    }

    public boolean isBasic() {
        return password != null;
    }

    String username() {
        return username;
    }

    String password() {
        return password;
    }

    byte[] sshPrivateKey() {
        return sshPrivateKey.clone();
    }

    byte[] knownHosts() {
        return knownHosts.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GitAuth o && java.util.Objects.equals(username, o.username)
                && java.util.Objects.equals(password, o.password) && Arrays.equals(sshPrivateKey, o.sshPrivateKey)
                && Arrays.equals(knownHosts, o.knownHosts);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(username, password, Arrays.hashCode(sshPrivateKey), Arrays.hashCode(knownHosts));
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "GitAuth[none]";
        }
        return "GitAuth[" + (isBasic() ? "user " + username + ", password ***" : "")
                + (isBasic() && isSsh() ? "; " : "") + (isSsh() ? "ssh key, known_hosts" : "") + "]";
    }
}
