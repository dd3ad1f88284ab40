package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class Verify {

    public enum LinkPolicy {
        @JsonProperty("RequireStatic") REQUIRE_STATIC,
        @JsonProperty("AllowDynamic") ALLOW_DYNAMIC
    }

    @JsonPropertyDescription("RequireStatic (default) refuses a binary that needs an interpreter or shared libraries; AllowDynamic ships it anyway (it will fail on scratch).")
    private LinkPolicy linkPolicy = LinkPolicy.REQUIRE_STATIC;

    public LinkPolicy getLinkPolicy() { return linkPolicy; }
    public void setLinkPolicy(LinkPolicy linkPolicy) { this.linkPolicy = linkPolicy; }
}
