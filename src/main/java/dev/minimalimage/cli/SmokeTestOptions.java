package dev.minimalimage.cli;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.planning.Durations;
import dev.minimalimage.planning.InvalidSpecException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** `build --smoke-test` and its settings: spec.verify.smokeTest's meaning, defaults and bounds on the command line. */
final class SmokeTestOptions {

    private static final List<String> SETTINGS = List.of("--smoke-expect-exit", "--smoke-output-pattern",
            "--smoke-timeout", "--smoke-test-optional");

    @Option(names = "--smoke-test", paramLabel = "ARGS", description = { "After delivery, run the image once on this",
            "machine from an empty root with ARGS instead of its --arg (split at whitespace; \"\" keeps them):",
            "no network, only the image's env, as its user (root: 65532). Exit code 9 when it fails, 11 when this",
            "host cannot run it (no user namespaces, no unshare)." })
    String args;

    @Option(names = "--smoke-expect-exit", paramLabel = "N", defaultValue = "0",
            description = "with --smoke-test: the exit code the program must end with (0-255, default ${DEFAULT-VALUE})")
    int expectedExitCode;

    @Option(names = "--smoke-output-pattern", paramLabel = "REGEX", description = { "with --smoke-test: a regular",
            "expression (Java) to be found in the program's output (stdout and stderr, the last lines)" })
    String outputPattern;

    @Option(names = "--smoke-timeout", paramLabel = "DURATION", defaultValue = SmokeTestSpec.DEFAULT_TIMEOUT,
            description = "with --smoke-test: how long it may run before it is killed (1s to 5m, default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--smoke-test-optional", description = { "With --smoke-test: where this host cannot run the test,",
            "only warn and succeed (without it: reason SmokeTestNotRun, exit code 11)." })
    boolean optional;

    /** The checked settings, or null without --smoke-test; IllegalArgumentException for bad ones. */
    LocalSmokeRun.Plan plan(ParseResult parsed) {
        if (args == null) {
            List<String> given = SETTINGS.stream().filter(parsed::hasMatchedOption).toList();
            if (!given.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", given) + " only apply with --smoke-test");
            }
            return null;
        }
        if (expectedExitCode < 0 || expectedExitCode > 255) {
            throw new IllegalArgumentException("--smoke-expect-exit must be between 0 and 255: " + expectedExitCode);
        }
        List<String> argv = args.isBlank() ? List.of() : List.of(args.strip().split("\\s+"));
        return new LocalSmokeRun.Plan(argv, expectedExitCode, pattern(), timeoutSeconds(), optional);
    }

    private Pattern pattern() {
        try {
            return outputPattern == null || outputPattern.isEmpty() ? null : Pattern.compile(outputPattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--smoke-output-pattern is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private long timeoutSeconds() {
        try {
            return Durations.smokeTestTimeout("--smoke-timeout", timeout);
        } catch (InvalidSpecException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
