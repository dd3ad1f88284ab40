package dev.minimalimage.planning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of what the operator creates for a resource (pod, ConfigMap, label values): the resource's name plus a
 * suffix while that fits in 63 characters; otherwise a readable prefix of the name plus a hash of the whole name, so
 * two long names that share a prefix never share a pod or a ConfigMap.
 */
public final class GeneratedNames {

    static final int MAX = 63;
    /** Object names that are DNS subdomains (events, for one) may be this long. */
    public static final int MAX_SUBDOMAIN = 253;
    private static final int NAME_HASH = 8;

    private GeneratedNames() {
    }

    /** {@code resourceName + suffix}, or a prefix of it, '-', a hash of the full name, and the suffix. */
    public static String of(String resourceName, String suffix) {
        return of(resourceName, suffix, MAX);
    }

    /** The same within {@code max} characters. */
    public static String of(String resourceName, String suffix, int max) {
        if (resourceName.length() + suffix.length() <= max) {
            return resourceName + suffix;
        }
        String prefix = resourceName.substring(0, max - suffix.length() - NAME_HASH - 1).replaceAll("[-.]+$", "");
        return prefix + "-" + sha256(resourceName).substring(0, NAME_HASH) + suffix;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
