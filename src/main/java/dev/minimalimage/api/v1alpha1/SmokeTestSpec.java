package dev.minimalimage.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Runs the pushed image (by digest) once in a short-lived, locked-down pod after a successful push. Not a build
 * input: adding, changing or removing it never renames or rebuilds an image.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SmokeTestSpec {

    public static final String DEFAULT_TIMEOUT = "1m";
    /** CEL on the smokeTest field (the generator reads rules on fields, not on classes). */
    public static final String RUNNING_OR_EXIT_CODE = "!has(self.expectRunning) || !self.expectRunning"
            + " || !has(self.expectedExitCode) || self.expectedExitCode == 0";

    @Size(max = 64)
    @JsonPropertyDescription("Arguments for the binary in the smoke-test pod (default: none, so the image's own"
            + " arguments, spec.image.args, apply).")
    private List<String> args = new ArrayList<>();

    @Size(max = 64)
    @JsonPropertyDescription("Environment variables of the smoke-test pod, in addition to the image's (name/value"
            + " only, literal values).")
    private List<LiteralEnvVar> env = new ArrayList<>();

    @Min(0)
    @Max(255)
    @JsonPropertyDescription("The exit code the program must end with (0-255, default 0).")
    private int expectedExitCode;

    @JsonPropertyDescription("For servers: the test passes when the program is still running when the timeout ends"
            + " (the pod is then deleted) and fails if it exits before (default false). Not with a non-zero"
            + " expectedExitCode.")
    private boolean expectRunning;

    @Size(max = 1024)
    @JsonPropertyDescription("A regular expression (Java syntax) that must be found somewhere in the program's output"
            + " (stdout and stderr, the last lines); optional.")
    private String outputPattern;

    @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
    @ValidationRule(value = "self != '' && duration(self) >= duration('1s') && duration(self) <= duration('5m')",
            message = "timeout must be a duration between 1s and 5m, e.g. 30s")
    @JsonPropertyDescription("How long the program may run before it must have exited, or, with expectRunning, how"
            + " long it must keep running (e.g. 30s; between 1s and 5m; default 1m).")
    private String timeout = DEFAULT_TIMEOUT;

    public List<String> getArgs() { return args; }
    public void setArgs(List<String> args) { this.args = args; }
    public List<LiteralEnvVar> getEnv() { return env; }
    public void setEnv(List<LiteralEnvVar> env) { this.env = env; }
    public int getExpectedExitCode() { return expectedExitCode; }
    public void setExpectedExitCode(int expectedExitCode) { this.expectedExitCode = expectedExitCode; }
    public boolean isExpectRunning() { return expectRunning; }
    public void setExpectRunning(boolean expectRunning) { this.expectRunning = expectRunning; }
    public String getOutputPattern() { return outputPattern; }
    public void setOutputPattern(String outputPattern) { this.outputPattern = outputPattern; }
    public String getTimeout() { return timeout; }
    public void setTimeout(String timeout) { this.timeout = timeout; }
}
