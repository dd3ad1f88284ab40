package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.List;

import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.TargetPlatform;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.image.Platform;

/**
 * spec.platforms as the planner uses it: the platforms in the spec's order (the index's order), checked for what the
 * schema cannot say on clusters without CEL rules: each once, and only with what builds per platform.
 */
final class TargetPlatforms {

    private TargetPlatforms() {
    }

    /** Empty when the spec names none: a plain image for the builder's platform, as before platforms existed. */
    static List<Platform> of(MinimalImageSpec spec) throws InvalidSpecException {
        List<Platform> platforms = new ArrayList<>();
        for (TargetPlatform named : spec.getPlatforms() == null ? List.<TargetPlatform>of() : spec.getPlatforms()) {
            if (named == null) {
                throw new InvalidSpecException("spec.platforms: an empty entry (linux/amd64 or linux/arm64)");
            }
            Platform platform = Platform.parse(named.ociName());
            if (platforms.contains(platform)) {
                throw new InvalidSpecException("spec.platforms names " + platform + " twice");
            }
            platforms.add(platform);
        }
        if (spec.getDockerfile() != null && !platforms.isEmpty() && !platforms.equals(List.of(Platform.LINUX_AMD64))) {
            throw new InvalidSpecException("spec.platforms with spec.dockerfile: a Dockerfile's stages run on the"
                    + " builder's node, so it builds for " + Platform.LINUX_AMD64 + " only (its TARGETPLATFORM);"
                    + " build other platforms with a language preset");
        }
        if (!platforms.isEmpty() && !platforms.equals(List.of(Platform.LINUX_AMD64))) {
            refuseBuilderOnlyFeatures(spec, platforms);
        }
        boolean smokeTest = spec.getVerify() != null && spec.getVerify().getSmokeTest() != null;
        Platform ran = SmokeTestPods.platformRun(spec.getBuild());
        if (smokeTest && !platforms.isEmpty() && !platforms.contains(ran)) {
            throw new InvalidSpecException("spec.verify.smokeTest runs the image on a " + ran + " node (the"
                    + " kubernetes.io/arch its pods select), and spec.platforms has no " + ran + " image to run: add"
                    + " it, or drop the smoke test (docs/platforms.md)");
        }
        return List.copyOf(platforms);
    }

    /** What ships the builder's own files (amd64 ones) builds for the builder's platform only. */
    private static void refuseBuilderOnlyFeatures(MinimalImageSpec spec, List<Platform> platforms)
            throws InvalidSpecException {
        String named = String.join(", ", platforms.stream().map(Platform::toString).toList());
        if (spec.getVerify() != null && spec.getVerify().getLinkPolicy() == Verify.LinkPolicy.BUNDLE) {
            throw new InvalidSpecException("spec.platforms names " + named + ", but spec.verify.linkPolicy Bundle"
                    + " ships the toolchain image's own libraries, which are for " + Platform.LINUX_AMD64
                    + ": bundle mode builds for " + Platform.LINUX_AMD64 + " only");
        }
        if (spec.getImage() != null && spec.getImage().getDebugTag() != null
                && !spec.getImage().getDebugTag().isBlank()) {
            throw new InvalidSpecException("spec.platforms names " + named + ", but spec.image.debugTag's twin"
                    + " carries the builder's busybox, which is for " + Platform.LINUX_AMD64 + ": a debug twin is"
                    + " built for " + Platform.LINUX_AMD64 + " only");
        }
    }
}
