package dev.minimalimage.api.v1alpha1;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** spec.dockerfile: build with a multi-stage Dockerfile whose final stage is FROM scratch, instead of a preset. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Dockerfile {

    public static final String DEFAULT_PATH = "Dockerfile";

    /** The Pod Security level a stage's container meets; the chart's setting is the most a spec may ask for. */
    public enum StageSecurity {
        /** Runs as the stage's USER, root included, with every capability dropped and a writable root. */
        @JsonProperty("Baseline") BASELINE,
        /** Every stage must RUN as a numeric non-root USER. */
        @JsonProperty("Restricted") RESTRICTED
    }

    @Size(max = 4096)
    @ValidationRule(value = "!self.startsWith('/') && !self.contains('..')",
            message = "dockerfile.path must be relative and must not contain '..'")
    @JsonPropertyDescription("The Dockerfile, relative to the build context (the inline files, or the git"
            + " checkout's contextDir). Default: Dockerfile.")
    private String path;

    @Size(max = 64)
    @JsonPropertyDescription("Build args (ARG), as docker build --build-arg NAME=VALUE; literal values.")
    private Map<String, String> buildArgs;

    @Size(max = 128)
    @JsonPropertyDescription("The stage to build, as docker build --target (default: the last stage). It must be"
            + " FROM scratch, or FROM a stage that is.")
    private String target;

    @JsonPropertyDescription("Pod Security level of the stages' containers: Baseline (default: each stage runs as its"
            + " USER, root included, every capability dropped, no privilege escalation, a writable root) or"
            + " Restricted (every stage must RUN as a numeric non-root USER). May only narrow the operator's"
            + " setting (the chart's builder.dockerfileStages).")
    private StageSecurity stageSecurity;

    public String getPath() { return path; }
    public void setPath(String path) { this.path = path; }
    public Map<String, String> getBuildArgs() { return buildArgs; }
    public void setBuildArgs(Map<String, String> buildArgs) { this.buildArgs = buildArgs == null ? null : new TreeMap<>(buildArgs); }
    public String getTarget() { return target; }
    public void setTarget(String target) { this.target = target; }
    public StageSecurity getStageSecurity() { return stageSecurity; }
    public void setStageSecurity(StageSecurity stageSecurity) { this.stageSecurity = stageSecurity; }
}
