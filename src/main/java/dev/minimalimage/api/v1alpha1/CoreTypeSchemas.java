package dev.minimalimage.api.v1alpha1;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.api.model.Quantity;

/**
 * Schema-only twins of the Kubernetes core types the model embeds (Condition, Toleration, ResourceRequirements),
 * named in {@code @SchemaFrom} so that the CRD describes their fields: Fabric8's classes carry no descriptions, so
 * without these `kubectl explain` shows nothing for them. Same fields and types as the originals (the generated
 * schema keeps its shape); the Java model keeps the Fabric8 classes, these are never instantiated.
 */
public final class CoreTypeSchemas {

    private CoreTypeSchemas() {
    }

    /** io.fabric8.kubernetes.api.model.Condition, as the operator writes it. */
    public static final class ConditionSchema {
        @JsonPropertyDescription("The aspect this condition reports: Ready (the whole build; kubectl wait"
                + " --for=condition=Ready), SourceFetched, Compiled, LinkVerified, Pushed, or SmokeTested when"
                + " spec.verify.smokeTest is set.")
        public String type;
        @JsonPropertyDescription("True, False or Unknown (the stage has not finished yet).")
        public String status;
        @JsonPropertyDescription("Why the status is what it is, one CamelCase word (e.g. Succeeded, Building,"
                + " BuildFailed, DynamicDependency, PushUnauthorized): the same word as the Events of the build.")
        public String reason;
        @JsonPropertyDescription("What happened, for humans: the failing step's words and what to do about them"
                + " (credentials in URLs masked; at most 2 KiB). Left out when there is nothing to add.")
        public String message;
        @JsonPropertyDescription("When status last changed to its current value (RFC 3339).")
        public String lastTransitionTime;
        @JsonPropertyDescription("metadata.generation of the spec this condition was written for.")
        public Long observedGeneration;
    }

    /** io.fabric8.kubernetes.api.model.Toleration. */
    public static final class TolerationSchema {
        @JsonPropertyDescription("Taint key to tolerate; empty with operator Exists = every taint.")
        public String key;
        @JsonPropertyDescription("Exists or Equal (default Equal): whether value must match too.")
        public String operator;
        @JsonPropertyDescription("Taint value to match with operator Equal.")
        public String value;
        @JsonPropertyDescription("Taint effect to tolerate: NoSchedule, PreferNoSchedule or NoExecute; empty = all.")
        public String effect;
        @JsonPropertyDescription("With effect NoExecute: how many seconds the builder pod stays bound after the taint"
                + " appears; unset = for ever.")
        public Long tolerationSeconds;
    }

    /** io.fabric8.kubernetes.api.model.ResourceRequirements. */
    public static final class ResourceRequirementsSchema {
        @JsonPropertyDescription("Minimum resources the scheduler reserves, e.g. {cpu: 500m, memory: 512Mi}.")
        public Map<String, Quantity> requests;
        @JsonPropertyDescription("Maximum resources the container may use, e.g. {memory: 2Gi}; memory over the limit"
                + " kills the compile (OOMKilled).")
        public Map<String, Quantity> limits;
        @JsonPropertyDescription("Dynamic resource claims (DynamicResourceAllocation) the container uses, by name.")
        public List<ResourceClaimSchema> claims;
    }

    /** io.fabric8.kubernetes.api.model.ResourceClaim. */
    public static final class ResourceClaimSchema {
        @JsonPropertyDescription("Name of an entry of the pod's resourceClaims.")
        public String name;
        @JsonPropertyDescription("Name of a request within that claim, when only part of it is needed.")
        public String request;
    }
}
