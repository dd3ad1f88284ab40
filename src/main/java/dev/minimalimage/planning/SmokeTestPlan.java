package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.minimalimage.api.v1alpha1.ImageTarget;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;

/**
 * spec.verify.smokeTest, checked: the compiled output pattern, the timeout in seconds, and the user the program runs
 * as (the image's numeric user, but never root: Pod Security restricted forbids it, so root becomes
 * {@link #NON_ROOT_UID}). {@code outputPattern} is null when none is asked for. {@code runAsGroup} is the image's
 * explicit group (kept when root is replaced), null when it names none: a pod that sets runAsUser alone makes the
 * runtime ignore the image's User, so its group must be set too, and without one the runtime takes the gid of the
 * user's entry in the image's /etc/passwd, else 0, just as it would for the image's own User.
 */
public record SmokeTestPlan(List<String> args, List<LiteralEnvVar> env, int expectedExitCode, boolean expectRunning,
        Pattern outputPattern, long timeoutSeconds, long runAsUser, Long runAsGroup, boolean rootReplaced,
        String entrypoint, List<String> imageArgs) {

    public static final long NON_ROOT_UID = BuilderLayout.BUILDER_UID;
    private static final int MAX_ARGS = 64;

    /**
     * {@code entrypoint}: the image's entrypoint when the planner sets it (a preset build's binary path; null for a
     * Dockerfile build, which runs on its own platform only): an emulated run names it, with the image's arguments.
     */
    static SmokeTestPlan of(SmokeTestSpec test, ImageTarget image, String entrypoint) throws InvalidSpecException {
        if (test == null) {
            return null;
        }
        List<String> args = test.getArgs() == null ? List.of() : List.copyOf(test.getArgs());
        if (args.size() > MAX_ARGS) {
            throw new InvalidSpecException("spec.verify.smokeTest.args: at most " + MAX_ARGS + " arguments");
        }
        List<LiteralEnvVar> env = test.getEnv() == null ? List.of() : new ArrayList<>(test.getEnv());
        for (LiteralEnvVar var : env) {
            if (var.hasValueFrom()) {
                throw new InvalidSpecException("spec.verify.smokeTest.env " + var.getName() + ": valueFrom is not"
                        + " supported, literal values only");
            }
        }
        if (test.getExpectedExitCode() < 0 || test.getExpectedExitCode() > 255) {
            throw new InvalidSpecException("spec.verify.smokeTest.expectedExitCode must be between 0 and 255: "
                    + test.getExpectedExitCode());
        }
        if (test.isExpectRunning() && test.getExpectedExitCode() != 0) {
            throw new InvalidSpecException("spec.verify.smokeTest.expectRunning cannot be combined with a non-zero"
                    + " expectedExitCode");
        }
        long timeout = Durations.smokeTestTimeout(test.getTimeout() == null ? SmokeTestSpec.DEFAULT_TIMEOUT
                : test.getTimeout());
        ImageUser user = ImageUser.of(image);
        boolean root = user.uid() == 0;
        return new SmokeTestPlan(args, List.copyOf(env), test.getExpectedExitCode(), test.isExpectRunning(),
                outputPattern(test.getOutputPattern()), timeout, root ? NON_ROOT_UID : user.uid(), user.gid(), root,
                entrypoint, image.getArgs() == null ? List.of() : List.copyOf(image.getArgs()));
    }

    private static Pattern outputPattern(String text) throws InvalidSpecException {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.length() > 1024) {
            throw new InvalidSpecException("spec.verify.smokeTest.outputPattern: at most 1024 characters");
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new InvalidSpecException("spec.verify.smokeTest.outputPattern is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /**
     * spec.image.user ("uid" or "uid:gid"), default {@link #NON_ROOT_UID}; {@code gid} null when it names no group.
     * A group name is refused: runAsGroup takes only a number.
     */
    private record ImageUser(long uid, Long gid) {

        static ImageUser of(ImageTarget image) throws InvalidSpecException {
            String user = image.getUser();
            if (user == null || user.isBlank()) {
                return new ImageUser(NON_ROOT_UID, null);
            }
            String[] parts = user.split(":", 2);
            try {
                return new ImageUser(Long.parseLong(parts[0]), parts.length == 2 ? Long.valueOf(parts[1]) : null);
            } catch (NumberFormatException e) {
                throw new InvalidSpecException("spec.image.user must be a numeric user[:group]: " + user);
            }
        }
    }
}
