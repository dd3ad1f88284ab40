package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

/** A platform a MinimalImage can be built for: the ones every preset cross-compiles to (docs/platforms.md). */
public enum TargetPlatform {
    @JsonProperty("linux/amd64") LINUX_AMD64("linux/amd64"),
    @JsonProperty("linux/arm64") LINUX_ARM64("linux/arm64");

    private final String ociName;

    TargetPlatform(String ociName) {
        this.ociName = ociName;
    }

    /** The OCI name, os/architecture, as the spec spells it. */
    @JsonValue
    public String ociName() {
        return ociName;
    }
}
