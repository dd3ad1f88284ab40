package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.ValidationRule;

public class Verify {

    public enum LinkPolicy {
        @JsonProperty("RequireStatic") REQUIRE_STATIC,
        @JsonProperty("AllowDynamic") ALLOW_DYNAMIC
    }

    @JsonPropertyDescription("RequireStatic (default) refuses a binary that needs an interpreter or shared libraries; AllowDynamic ships it anyway (it will fail on scratch).")
    private LinkPolicy linkPolicy = LinkPolicy.REQUIRE_STATIC;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = SmokeTest.RUNNING_OR_EXIT_CODE,
            message = "expectRunning cannot be combined with a non-zero expectedExitCode")
    @JsonPropertyDescription("Run the pushed image once (by digest) in a short-lived, locked-down pod and check its"
            + " exit code and output; Ready needs it to pass. Not a build input: changing it rebuilds nothing.")
    private SmokeTest smokeTest;

    public SmokeTest getSmokeTest() { return smokeTest; }
    public void setSmokeTest(SmokeTest smokeTest) { this.smokeTest = smokeTest; }
    public LinkPolicy getLinkPolicy() { return linkPolicy; }
    public void setLinkPolicy(LinkPolicy linkPolicy) { this.linkPolicy = linkPolicy; }
}
