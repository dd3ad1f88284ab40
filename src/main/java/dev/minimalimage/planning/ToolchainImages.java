package dev.minimalimage.planning;

/**
 * Which image runs each step. Configurable so air-gapped clusters can point at a mirror; defaults are documented
 * in the README with the reason for each choice.
 */
public record ToolchainImages(String builder, String cMusl, String cGlibc, String cpp, String go, String rust) {

    public static final ToolchainImages DEFAULTS = new ToolchainImages(
            "ghcr.io/minimal-image/minimal-image-builder:0.1.0", // scripts/image.sh --component builder
            "quay.io/pypa/musllinux_1_2_x86_64:2026.09.05-1",
            "docker.io/library/gcc:14.2",
            "docker.io/library/gcc:14.2",
            "docker.io/library/golang:1.23-bookworm",
            "docker.io/library/rust:1.83-alpine3.20");
}
