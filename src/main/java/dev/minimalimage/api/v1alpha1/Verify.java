package dev.minimalimage.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

public class Verify {

    public enum LinkPolicy {
        @JsonProperty("RequireStatic") REQUIRE_STATIC,
        @JsonProperty("AllowDynamic") ALLOW_DYNAMIC,
        @JsonProperty("Bundle") BUNDLE
    }

    /**
     * A SONAME (libfoo.so.1) or an absolute path in the toolchain image; never an option-like word, since the compile
     * and package steps pass each one as an argument. No backslashes, so the same text serves Java and CEL.
     */
    public static final String EXTRA_LIBRARY_PATTERN =
            "^(/[A-Za-z0-9_.+@/-]+|[A-Za-z0-9_][A-Za-z0-9_.+-]*[.]so([.][A-Za-z0-9_+-]+)*)$";

    @JsonPropertyDescription("RequireStatic (default) refuses a binary that needs an interpreter or shared libraries;"
            + " Bundle compiles without -static and ships the binary with its loader and shared libraries (and glibc's"
            + " name-service files), found by reading ELF in the toolchain image; AllowDynamic ships it anyway (it will"
            + " fail on scratch).")
    private LinkPolicy linkPolicy = LinkPolicy.REQUIRE_STATIC;

    @JsonInclude(JsonInclude.Include.NON_NULL) // absent, the build's inputs hash as before this field existed
    @Size(max = 32)
    @ValidationRule(value = "self.all(l, l.matches('" + EXTRA_LIBRARY_PATTERN + "'))",
            message = "each extra library is a SONAME (libfoo.so.1) or an absolute path")
    @JsonPropertyDescription("Bundle only: libraries the program loads with dlopen() without declaring them (no"
            + " DT_NEEDED, no .note.dlopen), as SONAMEs (libfoo.so.1) or absolute paths in the toolchain image; they"
            + " and what they need are bundled too.")
    private List<String> extraLibraries;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = SmokeTestSpec.RUNNING_OR_EXIT_CODE,
            message = "expectRunning cannot be combined with a non-zero expectedExitCode")
    @JsonPropertyDescription("Run the pushed image once (by digest) in a short-lived, locked-down pod and check its"
            + " exit code and output; Ready needs it to pass. Not a build input: changing it rebuilds nothing.")
    private SmokeTestSpec smokeTest;

    public List<String> getExtraLibraries() { return extraLibraries; }
    public void setExtraLibraries(List<String> extraLibraries) { this.extraLibraries = extraLibraries; }
    public SmokeTestSpec getSmokeTest() { return smokeTest; }
    public void setSmokeTest(SmokeTestSpec smokeTest) { this.smokeTest = smokeTest; }
    public LinkPolicy getLinkPolicy() { return linkPolicy; }
    public void setLinkPolicy(LinkPolicy linkPolicy) { this.linkPolicy = linkPolicy; }
}
