package dev.minimalimage.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.minimalimage.api.v1alpha1.CoreTypeSchemas.ResourceRequirementsSchema;
import dev.minimalimage.api.v1alpha1.CoreTypeSchemas.TolerationSchema;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

public class BuildSettings {

    public static final String DEFAULT_TIMEOUT = "15m";
    public static final String DEFAULT_START_TIMEOUT = "10m";
    public static final String DEFAULT_PULL_TIMEOUT = "5m";

    @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
    @ValidationRule(value = "self != '' && duration(self) >= duration('1m') && duration(self) <= duration('6h')",
            message = "timeout must be a duration between 1m and 6h, e.g. 15m or 1h30m")
    @JsonPropertyDescription("How long the whole build may take (e.g. 15m, 1h30m; between 1m and 6h; default 15m).")
    private String timeout = DEFAULT_TIMEOUT;

    @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
    @ValidationRule(value = "self != '' && duration(self) >= duration('1m') && duration(self) <= duration('1h')",
            message = "startTimeout must be a duration between 1m and 1h, e.g. 10m")
    @JsonPropertyDescription("How long the builder pod may take to start its first step (scheduling, pulling, mounting"
            + " volumes) before the build fails with Unschedulable, VolumeMountFailed or PodNotStarted (default 10m;"
            + " between 1m and 1h). The build's timeout only counts once the pod runs.")
    private String startTimeout = DEFAULT_START_TIMEOUT;

    @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
    @ValidationRule(value = "self != '' && duration(self) >= duration('1m') && duration(self) <= duration('1h')",
            message = "pullTimeout must be a duration between 1m and 1h, e.g. 5m")
    @JsonPropertyDescription("How long an image pull of the builder pod may keep failing (the kubelet retries it with"
            + " back-off: a registry's 429, a short outage) before the build fails with ToolchainImagePullFailed or"
            + " BuilderImagePullFailed (default 5m; between 1m and 1h).")
    private String pullTimeout = DEFAULT_PULL_TIMEOUT;

    @Size(max = 16)
    @JsonPropertyDescription("Secrets (type kubernetes.io/dockerconfigjson, in this namespace) the kubelet uses to pull"
            + " the toolchain and builder images of this resource, in addition to the operator-wide ones.")
    private List<PullSecretReference> imagePullSecrets = new ArrayList<>();

    @JsonPropertyDescription("Certificate authorities (PEM) trusted by the builder's fetch and push steps, for a"
            + " private git server or registry with its own CA; overrides the operator-wide bundle.")
    private CaBundle caBundle;

    @SchemaFrom(type = ResourceRequirementsSchema.class)
    @JsonPropertyDescription("CPU and memory requests/limits of each builder step (default requests: 250m, 256Mi). The"
            + " package step runs beside the step before it (the compile step, or a Dockerfile's last stage), so their"
            + " requests add up: it requests 100m and 128Mi instead, and takes these limits if any are set; so do a git"
            + " build's fetch step and the runtime copy (bundle mode, a Dockerfile with one stage container).")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Node selector for the builder pod.")
    private Map<String, String> nodeSelector = new TreeMap<>();

    @SchemaFrom(type = TolerationSchema[].class)
    @JsonPropertyDescription("Tolerations for the builder pod.")
    private List<Toleration> tolerations = new ArrayList<>();

    @Min(0)
    @Max(20)
    @JsonPropertyDescription("How many finished builder pods to keep for their logs (default 2).")
    private int keepFinishedPods = 2;

    @JsonPropertyDescription("Keep Go modules and build cache, Cargo's registry and ccache on a PersistentVolumeClaim"
            + " between builds (does not change the image, so not part of the build's inputs).")
    private BuildCache cache;

    public String getPullTimeout() { return pullTimeout; }
    public void setPullTimeout(String pullTimeout) { this.pullTimeout = pullTimeout; }
    public List<PullSecretReference> getImagePullSecrets() { return imagePullSecrets; }
    public void setImagePullSecrets(List<PullSecretReference> imagePullSecrets) { this.imagePullSecrets = imagePullSecrets; }
    public CaBundle getCaBundle() { return caBundle; }
    public void setCaBundle(CaBundle caBundle) { this.caBundle = caBundle; }
    public BuildCache getCache() { return cache; }
    public void setCache(BuildCache cache) { this.cache = cache; }
    public String getStartTimeout() { return startTimeout; }
    public void setStartTimeout(String startTimeout) { this.startTimeout = startTimeout; }
    public String getTimeout() { return timeout; }
    public void setTimeout(String timeout) { this.timeout = timeout; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
    public Map<String, String> getNodeSelector() { return nodeSelector; }
    public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
    public List<Toleration> getTolerations() { return tolerations; }
    public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
    public int getKeepFinishedPods() { return keepFinishedPods; }
    public void setKeepFinishedPods(int keepFinishedPods) { this.keepFinishedPods = keepFinishedPods; }
}
