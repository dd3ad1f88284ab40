package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret of the resource's namespace the kubelet uses to pull the builder pod's images. */
public class PullSecretReference {

    @Required
    @Size(min = 1, max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of a kubernetes.io/dockerconfigjson Secret in this namespace.")
    private String name;

    public PullSecretReference() {
    }

    public PullSecretReference(String name) {
        this.name = name;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
}
