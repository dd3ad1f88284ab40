package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A PersistentVolumeClaim the compile step keeps its caches on between builds. */
public class BuildCache {

    @Required
    @Size(min = 1, max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("PersistentVolumeClaim in the resource's namespace, writable by uid/gid 65532;"
            + " ReadWriteMany, or ReadWriteOnce when builds using it share a node. Mounted only into the compile step,"
            + " in a directory per toolchain image (Go modules and build cache, Cargo registry and git, ccache).")
    private String claimName;

    public String getClaimName() { return claimName; }
    public void setClaimName(String claimName) { this.claimName = claimName; }
}
