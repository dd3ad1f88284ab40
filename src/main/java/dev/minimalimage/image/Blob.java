package dev.minimalimage.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content-addressed bytes as a registry stores them. */
public record Blob(String mediaType, byte[] bytes, String digest) {

    public static Blob of(String mediaType, byte[] bytes) {
        return new Blob(mediaType, bytes, sha256(bytes));
    }

    public long size() {
        return bytes.length;
    }

    public String hex() {
        return digest.substring("sha256:".length());
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
