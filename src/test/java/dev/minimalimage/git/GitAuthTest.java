package dev.minimalimage.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GitAuthTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fromSecretDataAndNoSecretInToString() {
        GitAuth basic = GitAuth.fromSecretData(Map.of(GitAuth.USERNAME, bytes("alice\n"), GitAuth.PASSWORD, bytes("s3cret\n")));
        assertThat(basic).isEqualTo(GitAuth.basic("alice", "s3cret"));
        assertThat(basic.isBasic()).isTrue();
        assertThat(basic.toString()).doesNotContain("s3cret");
        assertThat(GitAuth.fromSecretData(Map.of(GitAuth.PASSWORD, bytes("t"))).toString()).contains("user git");

        GitAuth ssh = GitAuth.fromSecretData(Map.of(GitAuth.SSH_KEY, bytes("KEY"), GitAuth.KNOWN_HOSTS, bytes("h k")));
        assertThat(ssh.isSsh()).isTrue();
        assertThat(ssh.isBasic()).isFalse();
        assertThat(ssh.toString()).doesNotContain("KEY");

        assertThat(GitAuth.fromSecretData(Map.of()).isNone()).isTrue();
        assertThat(GitAuth.fromSecretData(null)).isEqualTo(GitAuth.none());
        assertThatThrownBy(() -> GitAuth.fromSecretData(Map.of(GitAuth.SSH_KEY, bytes("KEY"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("known_hosts")
                .message().doesNotContain("KEY\"");
        assertThatThrownBy(() -> GitAuth.ssh(bytes("KEY"), bytes(" \n"))).isInstanceOf(IllegalArgumentException.class);
    }
}
