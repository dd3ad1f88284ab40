package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.minimalimage.git.GitAuth;

/**
 * Credentials from a mounted Secret: `username`/`password` (kubernetes.io/basic-auth) for https, or
 * `ssh-privatekey` (kubernetes.io/ssh-auth) plus `known_hosts` for ssh. Host keys are always verified: an ssh
 * secret without known_hosts is refused rather than trusting whatever answers ({@link GitAuth}, shared with the
 * operator's ls-remote).
 */
final class GitCredentials {

    private GitCredentials() {
    }

    /** The Secret's files as {@link GitAuth}; none without a directory. */
    static GitAuth read(Path dir) throws IOException {
        if (dir == null) {
            return GitAuth.none();
        }
        Map<String, byte[]> data = new HashMap<>();
        for (String key : List.of(GitAuth.USERNAME, GitAuth.PASSWORD, GitAuth.SSH_KEY, GitAuth.KNOWN_HOSTS)) {
            if (Files.isRegularFile(dir.resolve(key))) {
                data.put(key, Files.readAllBytes(dir.resolve(key)));
            }
        }
        return GitAuth.fromSecretData(data);
    }
}
