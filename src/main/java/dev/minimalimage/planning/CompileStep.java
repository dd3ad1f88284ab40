package dev.minimalimage.planning;

import java.util.Map;

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
}
