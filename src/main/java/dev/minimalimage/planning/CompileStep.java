package dev.minimalimage.planning;

import java.util.LinkedHashMap;
import java.util.Map;

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
        Map<String, String> withTarget = new LinkedHashMap<>(env);
        withTarget.put("TARGETPLATFORM", platform.toString());
        withTarget.put("TARGETOS", platform.os());
        withTarget.put("TARGETARCH", platform.architecture());
        withTarget.put("TARGETVARIANT", platform.variant() == null ? "" : platform.variant());
        return new CompileStep(image, script, withTarget, stagesBundle);
    }
}
