package dev.minimalimage.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GitHostsTest {

    @Test
    void allowsListedHostsOnly() {
        GitHosts hosts = GitHosts.parse("github.com, GitLab.example.org  git.corp:8443\n");
        assertThat(List.of("https://github.com/o/r.git", "https://GITHUB.COM/o/r.git", "https://user:tok@github.com/o/r.git",
                "ssh://git@github.com/o/r.git", "ssh://git@github.com:22/o/r.git", "git@github.com:o/r.git",
                "gitlab.example.org:group/r.git", "https://github.com./o/r", "https://git.corp:8443/r"))
                .filteredOn(url -> !hosts.allows(url)).isEmpty();
        assertThat(Arrays.asList("https://evil.com/github.com/r", "https://github.com.evil.com/r",
                "https://github.com@evil.com/r", "git@evil.com:github.com/r", "https://api.github.com/r",
                "file:///srv/git/r.git", "/srv/git/r.git", "./github.com:r", null))
                .filteredOn(hosts::allows).isEmpty();
    }

    @Test
    void portsMustMatch() {
        GitHosts hosts = GitHosts.parse("github.com,git.corp:8443");
        assertThat(hosts.allows("https://github.com:8443/r")).as("no port = the default port only").isFalse();
        assertThat(hosts.allows("ssh://git@github.com:2222/r")).isFalse();
        assertThat(hosts.allows("http://github.com/r")).as("http's default port 80").isTrue();
        assertThat(hosts.allows("https://git.corp/r")).isFalse();
        assertThat(hosts.allows("https://git.corp:9443/r")).isFalse();
        assertThat(GitHosts.parse("git.corp:443").allows("https://git.corp/r")).isTrue();
        assertThat(GitHosts.parse("git.corp:22").allows("git@git.corp:r.git")).isTrue();
    }

    @Test
    void wildcardsIpv6AndUrlEntries() {
        GitHosts hosts = GitHosts.parse("*.example.com [FD00::1]:2222 https://git.corp/ [::1]");
        assertThat(hosts.allows("https://a.example.com/r")).isTrue();
        assertThat(hosts.allows("https://a.b.example.com/r")).isTrue();
        assertThat(hosts.allows("https://example.com/r")).isFalse();
        assertThat(hosts.allows("https://aexample.com/r")).isFalse();
        assertThat(hosts.allows("ssh://git@[fd00:0::1]:2222/r")).isTrue();
        assertThat(hosts.allows("ssh://git@[fd00::1]/r")).isFalse();
        assertThat(hosts.allows("git@[fd00::1]:r.git")).as("scp-like with an IPv6 literal, port 22").isFalse();
        assertThat(hosts.allows("git@[::1]:r.git")).isTrue();
        assertThat(hosts.allows("https://git.corp/r")).isTrue();
        assertThat(GitHosts.hostOf("ssh://git@[FD00::1]:2222/r")).contains(new GitHosts.HostPort("fd00:0:0:0:0:0:0:1", 2222));
        assertThat(GitHosts.hostOf("git@Host.Example:r")).contains(new GitHosts.HostPort("host.example", 22));
        assertThat(GitHosts.hostOf("https://h/r")).contains(new GitHosts.HostPort("h", 443));
        assertThat(GitHosts.hostOf("file:///r")).isEmpty();
    }

    @Test
    void absentOrEmptyAllowsNothingAndBadEntriesAreNamed() {
        assertThat(GitHosts.parse(null).allows("https://github.com/r")).isFalse();
        assertThat(GitHosts.parse(" , ").isEmpty()).isTrue();
        assertThat(GitHosts.none().allows("https://github.com/r")).isFalse();
        assertThat(GitHosts.fromAnnotations(null).isEmpty()).isTrue();
        assertThat(GitHosts.fromAnnotations(Map.of("other", "github.com")).allows("https://github.com/r")).isFalse();
        assertThat(GitHosts.fromAnnotations(Map.of(GitHosts.ANNOTATION, "github.com")).allows("https://github.com/r")).isTrue();
        assertThat(GitHosts.ANNOTATION).isEqualTo("build.minimalimage.dev/git-hosts");
        assertThatThrownBy(() -> GitHosts.parse("github.com, a*b.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a*b.com\"");
        assertThatThrownBy(() -> GitHosts.parse("host:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GitHosts.parse("*")).isInstanceOf(IllegalArgumentException.class);
    }
}
