package dev.minimalimage.api.v1alpha1;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "has(self.git) != has(self.inline)", message = "exactly one of source.git or source.inline must be set")
public class Source {

    @JsonPropertyDescription("Clone a git repository (https or ssh) at a branch, tag or commit.")
    private Git git;

    @JsonPropertyDescription("Source files given in the resource itself, for small programs (stored in a ConfigMap the operator owns).")
    private Inline inline;

    public Git getGit() { return git; }
    public void setGit(Git git) { this.git = git; }
    public Inline getInline() { return inline; }
    public void setInline(Inline inline) { this.inline = inline; }

    public static class Git {
        /** https without user info, ssh with at most a user name, or scp-like user@host:path. */
        public static final String URL_PATTERN = "^(https://[^/@?#]+(/[^?#]*)?|ssh://([^/:@]+@)?[^/@]+(/.*)?"
                + "|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+)$";

        @Required
        @Pattern(URL_PATTERN)
        @JsonPropertyDescription("Repository URL: https://host/path, ssh://user@host/path or user@host:path; no"
                + " credentials in it (they would reach logs and the status): use credentialsSecret.")
        private String url;

        @JsonPropertyDescription("Branch, tag or full commit SHA to build. Defaults to the remote's HEAD.")
        @Size(max = 255)
        private String revision;

        @JsonPropertyDescription("Directory inside the repository holding the program; relative, without '..'.")
        @Size(max = 4096)
        @ValidationRule(value = "!self.startsWith('/') && !self.contains('..')",
                message = "contextDir must be relative and must not contain '..'")
        private String contextDir;

        @JsonPropertyDescription("Name of a Secret in this namespace with git credentials: keys username and password (https), or ssh-privatekey and known_hosts (ssh; host keys are always verified).")
        @Size(max = 253)
        private String credentialsSecret;

        @io.fabric8.generator.annotation.Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
        @ValidationRule(value = "self != '' && duration(self) >= duration('1m')",
                message = "pollInterval must be a duration of at least 1m, e.g. 5m")
        @JsonPropertyDescription("Follow the revision (a branch): look up its head this often (ls-remote, never a"
                + " clone; at least 1m) and build when it moves. The commit built is status.sourceCommit. Off by"
                + " default.")
        private String pollInterval;

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getRevision() { return revision; }
        public void setRevision(String revision) { this.revision = revision; }
        public String getContextDir() { return contextDir; }
        public void setContextDir(String contextDir) { this.contextDir = contextDir; }
        public String getPollInterval() { return pollInterval; }
        public void setPollInterval(String pollInterval) { this.pollInterval = pollInterval; }
        public String getCredentialsSecret() { return credentialsSecret; }
        public void setCredentialsSecret(String credentialsSecret) { this.credentialsSecret = credentialsSecret; }
    }

    @ValidationRule(value = "self.files.all(p, !p.startsWith('/') && !p.contains('..') && p.size() > 0)",
            message = "inline file paths must be relative and must not contain '..'")
    public static class Inline {
        @Required
        @Size(min = 1, max = 64)
        @JsonPropertyDescription("Files by relative path (e.g. main.c, src/util.h) to their content. At most 64 files; the whole resource must stay under etcd's 1.5 MiB limit.")
        private Map<String, String> files = new TreeMap<>();

        public Map<String, String> getFiles() { return files; }
        public void setFiles(Map<String, String> files) { this.files = files; }
    }
}
