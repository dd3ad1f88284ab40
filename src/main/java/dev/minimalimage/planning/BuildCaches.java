package dev.minimalimage.planning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a build keeps its caches on spec.build.cache: one directory per toolchain image, so two toolchains (another
 * Go version, musl vs glibc objects in ccache) never read each other's entries.
 */
public final class BuildCaches {

    private BuildCaches() {
    }

    public static String directory(String toolchainImage) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(toolchainImage.getBytes(StandardCharsets.UTF_8));
            return BuilderLayout.CACHE_MOUNT + "/" + HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
