package dev.minimalimage.planning;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.minimalimage.image.Platform;

/**
 * The compile container of a build: toolchain image, shell script, and the environment the script reads.
 *
 * @param stagesBundle the script ends by collecting the program's libraries for bundle mode, with a copy of
 *                     minimal-image that an earlier step puts into the pod
 */
public record CompileStep(String image, String script, Map<String, String> env, boolean stagesBundle) {

    public CompileStep(String image, String script, Map<String, String> env) {
        this(image, script, env, false);
    }

    /**
     * This step building for {@code platform}: the target in BuildKit's variables (TARGETPLATFORM, TARGETOS,
     * TARGETARCH, TARGETVARIANT), which presets.sh turns into GOOS/GOARCH, a cross compiler or a Rust target, and a
     * custom script reads.
     */
    public CompileStep forPlatform(Platform platform) {
        return withEnv(targetEnv(platform));
    }

    /** This step with {@code name} set to {@code value} in its environment. */
    public CompileStep withEnv(String name, String value) {
        return withEnv(Map.of(name, value));
    }

    private CompileStep withEnv(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>(this.env);
        env.putAll(more);
        return new CompileStep(image, script, env, stagesBundle);
    }

    /** BuildKit's names for the platform a build targets (what a Dockerfile's ARG TARGETARCH reads). */
    static Map<String, String> targetEnv(Platform platform) {
        Map<String, String> target = new LinkedHashMap<>();
        target.put("TARGETPLATFORM", platform.toString());
        target.put("TARGETOS", platform.os());
        target.put("TARGETARCH", platform.architecture());
        target.put("TARGETVARIANT", platform.variant() == null ? "" : platform.variant());
        return target;
    }

    /**
     * This step run once per platform, in the order given, in one container: each run a subshell with the target's
     * variables, its own OUT ({@code binaryFor}) and its own WORK below WORK (the prologue starts each from a clean
     * copy of the sources), so nothing of one platform's build reaches another's. The first that fails ends the step
     * with its exit code (the reason), after a line naming the platform.
     */
    public CompileStep forPlatforms(List<Platform> platforms, Function<Platform, String> binaryFor) {
        // a function whose body is a subshell: the script's `set -eu`, its variables and its exits stay inside it.
        // Called as a command of its own, never in an && or || list, where sh would ignore the script's set -e.
        StringBuilder multi = new StringBuilder("minimal_image_build() (\n").append(script).append("\n)\n")
                .append("minimal_image_work=$WORK\n");
        for (Platform platform : platforms) {
            StringBuilder exports = new StringBuilder();
            targetEnv(platform).forEach((name, value) -> exports.append(' ').append(name).append("='")
                    .append(value).append('\''));
            multi.append("echo 'minimal-image: building for ").append(platform).append("' >&2\n")
                    .append("(export").append(exports).append(" OUT='").append(binaryFor.apply(platform))
                    .append("' WORK=\"$minimal_image_work/").append(platform.directoryName())
                    .append("\"; minimal_image_build)\n")
                    .append("status=$?\n")
                    .append("if [ $status -ne 0 ]; then echo 'minimal-image: the build for ").append(platform)
                    .append(" failed' >&2; exit $status; fi\n");
        }
        return new CompileStep(image, multi.toString(), env, stagesBundle);
    }

    /**
     * This step waiting, before anything else, for the fetch step beside it to write its exit code to
     * {@code fetchExitFile} (one line, written whole by a rename): the step starts with the pod instead of after an
     * init container, which saves the kubelet's hand-over between the two (about a second). A fetch that failed ends
     * this step with {@link CompileExitCodes#SOURCE_UNAVAILABLE} without running the script. A fetch step that dies
     * before it can write (killed for memory) ends in a failed container: the operator stops the pod, and the pod's
     * deadline bounds the wait in any case. The script itself runs in a subshell function, as in
     * {@link #handingOverTo}, so nothing of the wait reaches it.
     */
    public CompileStep awaitingSource(String fetchExitFile) {
        String quoted = "'" + fetchExitFile + "'";
        String wrapped = "command -v sleep >/dev/null 2>&1 || { echo 'minimal-image: no sleep in the toolchain image:"
                + " cannot wait for the fetch step' >&2; exit " + CompileExitCodes.SOURCE_UNAVAILABLE + "; }\n"
                + "minimal_image_fetched=\n"
                + "while :; do\n"
                // only a whole line counts: read fails on a line without its newline
                + "  if [ -f " + quoted + " ] && read -r minimal_image_fetched < " + quoted + "; then break; fi\n"
                // a sleep without fractions (POSIX) fails at once: then a whole second, never a busy loop
                + "  sleep 0.02 2>/dev/null || sleep 1\n"
                + "done\n"
                + "if [ \"$minimal_image_fetched\" != 0 ]; then\n"
                + "  echo \"minimal-image: the fetch step failed (exit code $minimal_image_fetched): nothing to build\" >&2\n"
                + "  exit " + CompileExitCodes.SOURCE_UNAVAILABLE + "\n"
                + "fi\n"
                + "unset minimal_image_fetched\n"
                + "minimal_image_build_script() (\n" + script + "\n)\n"
                + "minimal_image_build_script\n";
        return new CompileStep(image, wrapped, env, stagesBundle);
    }

    /**
     * This step ending by writing its exit code to {@code exitCodeFile}, one line, whatever the script does: the
     * package step runs beside it and waits for that line (a container's end is not visible to the other containers
     * of its pod). The script runs in a subshell function, as in {@link #forPlatforms}, so its own exits and set -e
     * stay inside; the shell's redirection writes the line with one write, newline last, so a reader that finds the
     * newline has it all. A script killed for memory leaves this shell alive to write its code (cgroup v1); where an
     * OOM kills the whole container (cgroup v2, memory.oom.group), the operator sees the container end and stops the
     * pod, and the pod's deadline bounds the wait in any case.
     */
    public CompileStep handingOverTo(String exitCodeFile) {
        // a code the packer never learned must not end the step as a success: the operator then stops the pod
        String wrapped = "minimal_image_compile() (\n" + script + "\n)\n"
                + "minimal_image_compile\n"
                + "minimal_image_status=$?\n"
                + "printf '%s\\n' \"$minimal_image_status\" > '" + exitCodeFile + "' || exit " + CompileExitCodes.HANDOVER_FAILED
                + "\n"
                + "exit $minimal_image_status\n";
        return new CompileStep(image, wrapped, env, stagesBundle);
    }
}
