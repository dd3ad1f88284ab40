package dev.minimalimage.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

public class ImageTarget {

    /** registry[:port]/repository[:tag] or @sha256:digest, lower-case repository (distribution reference grammar). */
    public static final String REFERENCE_PATTERN = "^((([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[0-9a-fA-F:]+\\])(:[0-9]+)?/)?[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$";

    @Required
    @Size(max = 512)
    @Pattern(REFERENCE_PATTERN)
    @JsonPropertyDescription("Image reference to push to: registry[:port]/repository[:tag], e.g. ghcr.io/acme/hello:1.0.")
    private String name;

    @Size(max = 253)
    @JsonPropertyDescription("Secret of type kubernetes.io/dockerconfigjson with credentials for the registry.")
    private String pushSecret;

    @JsonPropertyDescription("Allow plain HTTP and unverified TLS to this registry (development only).")
    private boolean insecure;

    @Pattern("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
    @JsonPropertyDescription("Also push a debug twin under this tag of the same repository: the same layers plus a"
            + " statically linked busybox in /bin (sh, ls, cat, wget, nslookup, ...), for kubectl debug or exec. The"
            + " image itself is unchanged; the twin's reference is status.debugImage.")
    @JsonInclude(JsonInclude.Include.NON_NULL) // absent, the inputs hash stays what earlier releases computed
    private String debugTag;

    @Pattern("^/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$")
    @ValidationRule(value = "!self.contains('..') && !self.contains('//')", message = "path must be normalized")
    @JsonPropertyDescription("Absolute path of the binary inside the image (default /app/<binaryName>).")
    private String path;

    @Size(max = 64)
    @JsonPropertyDescription("Arguments for the binary (the image's Cmd).")
    private List<String> args = new ArrayList<>();

    @Size(max = 128)
    @JsonPropertyDescription("Environment variables baked into the image (name/value only).")
    private List<LiteralEnvVar> env = new ArrayList<>();

    @Size(max = 4096)
    @JsonPropertyDescription("Working directory of the process in the image.")
    private String workingDir;

    @Pattern("^[0-9]{1,10}(:[0-9]{1,10})?$")
    @JsonPropertyDescription("Numeric user[:group] the binary runs as (default 65532, non-root).")
    private String user;

    @Size(max = 64)
    @JsonPropertyDescription("Ports the program listens on.")
    private List<Port> ports = new ArrayList<>();

    @Size(max = 64)
    @JsonPropertyDescription("Labels in the image configuration.")
    private Map<String, String> labels = new TreeMap<>();

    @Size(max = 64)
    @JsonPropertyDescription("Annotations in the image manifest.")
    private Map<String, String> annotations = new TreeMap<>();

    @JsonPropertyDescription("Small OS files some programs need on scratch.")
    private Extras extras = new Extras();

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getPushSecret() { return pushSecret; }
    public void setPushSecret(String pushSecret) { this.pushSecret = pushSecret; }
    public String getDebugTag() { return debugTag; }
    public void setDebugTag(String debugTag) { this.debugTag = debugTag; }
    public boolean isInsecure() { return insecure; }
    public void setInsecure(boolean insecure) { this.insecure = insecure; }
    public String getPath() { return path; }
    public void setPath(String path) { this.path = path; }
    public List<String> getArgs() { return args; }
    public void setArgs(List<String> args) { this.args = args; }
    public List<LiteralEnvVar> getEnv() { return env; }
    public void setEnv(List<LiteralEnvVar> env) { this.env = env; }
    public String getWorkingDir() { return workingDir; }
    public void setWorkingDir(String workingDir) { this.workingDir = workingDir; }
    public String getUser() { return user; }
    public void setUser(String user) { this.user = user; }
    public List<Port> getPorts() { return ports; }
    public void setPorts(List<Port> ports) { this.ports = ports; }
    public Map<String, String> getLabels() { return labels; }
    public void setLabels(Map<String, String> labels) { this.labels = labels; }
    public Map<String, String> getAnnotations() { return annotations; }
    public void setAnnotations(Map<String, String> annotations) { this.annotations = annotations; }
    public Extras getExtras() { return extras; }
    public void setExtras(Extras extras) { this.extras = extras; }

    public static class Port {
        @Required
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("Port number.")
        private int port;

        @Pattern("^(tcp|udp|sctp)$")
        @JsonPropertyDescription("tcp (default), udp or sctp.")
        private String protocol;

        public int getPort() { return port; }
        public void setPort(int port) { this.port = port; }
        public String getProtocol() { return protocol; }
        public void setProtocol(String protocol) { this.protocol = protocol; }
    }

    public static class Extras {
        @JsonPropertyDescription("Add the builder's CA certificate bundle at /etc/ssl/certs/ca-certificates.crt (for TLS clients).")
        private boolean caCertificates;
        @JsonPropertyDescription("Add /etc/passwd and /etc/group naming root and the image's user.")
        private boolean passwd;
        @JsonPropertyDescription("Add an empty /tmp with mode 1777.")
        private boolean tmp;
        @JsonPropertyDescription("Add timezone data at /usr/share/zoneinfo.")
        private boolean timezoneData;

        public boolean isCaCertificates() { return caCertificates; }
        public void setCaCertificates(boolean caCertificates) { this.caCertificates = caCertificates; }
        public boolean isPasswd() { return passwd; }
        public void setPasswd(boolean passwd) { this.passwd = passwd; }
        public boolean isTmp() { return tmp; }
        public void setTmp(boolean tmp) { this.tmp = tmp; }
        public boolean isTimezoneData() { return timezoneData; }
        public void setTimezoneData(boolean timezoneData) { this.timezoneData = timezoneData; }
    }
}
