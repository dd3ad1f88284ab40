package dev.minimalimage.planning;

import java.util.Map;

/** The compile container of a build: toolchain image, shell script, and the environment the script reads. */
public record CompileStep(String image, String script, Map<String, String> env) {
}
