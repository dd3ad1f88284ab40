package dev.minimalimage.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where an image came from, as the manifest annotations org.opencontainers.image.{source,revision,created}. These
 * keys are ours: they replace a user's values, except that a user's source stays where we know none (inline files).
 *
 * @param source  the repository URL without credentials, or null (inline files have none)
 * @param revision the commit, or "sha256:" + the digest of the inline files
 * @param created RFC 3339 UTC: the commit's committer time, or the epoch for inline files (no history, reproducible)
 */
public record Provenance(String source, String revision, String created) {

    public static final String SOURCE = "org.opencontainers.image.source";
    public static final String REVISION = "org.opencontainers.image.revision";
    public static final String CREATED = "org.opencontainers.image.created";

    public Provenance {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(created, "created");
    }

    public static Provenance ofCommit(String url, String commit, long commitTimeEpochSeconds) {
        return new Provenance(url, commit, DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(commitTimeEpochSeconds)));
    }

    /** Equal files, equal revision: the digest covers the files only (not the resource's name). */
    public static Provenance ofInlineFiles(Map<String, String> files) {
        return new Provenance(null, "sha256:" + HexFormat.of().formatHex(digest(files)), DateTimeFormatter.ISO_INSTANT
                .format(Instant.EPOCH));
    }

    /** The annotations with ours put in. */
    public SortedMap<String, String> annotate(Map<String, String> annotations) {
        SortedMap<String, String> annotated = new TreeMap<>(annotations);
        if (source != null) {
            annotated.put(SOURCE, source);
        }
        annotated.put(REVISION, revision);
        annotated.put(CREATED, created);
        return annotated;
    }

    /**
     * SHA-256 of an unambiguous encoding: entries sorted by the path's UTF-8 bytes, then per entry the path and the
     * content, each as an 8-byte big-endian length followed by its UTF-8 bytes (so no two file sets encode alike).
     */
    static byte[] digest(Map<String, String> files) {
        MessageDigest sha = sha256();
        files.entrySet().stream()
                .map(e -> List.of(utf8(e.getKey()), utf8(Objects.requireNonNullElse(e.getValue(), ""))))
                .sorted((a, b) -> Arrays.compareUnsigned(a.get(0), b.get(0)))
                .forEach(entry -> entry.forEach(bytes -> {
                    sha.update(ByteBuffer.allocate(Long.BYTES).putLong(bytes.length).array());
                    sha.update(bytes);
                }));
        return sha.digest();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JRE has it
        }
    }
}
