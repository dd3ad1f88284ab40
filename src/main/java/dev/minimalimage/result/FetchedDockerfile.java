package dev.minimalimage.result;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A Dockerfile as the fetch step reports it in its termination message for the operator to plan from: gzip'd and in
 * base64, so a few kilobytes of Dockerfile fit beside the commit within the kubelet's 4096 bytes.
 */
public final class FetchedDockerfile {

    /** What the encoded Dockerfile may take of the termination message (the commit and the JSON take the rest). */
    public static final int MAX_ENCODED = 3800;

    private FetchedDockerfile() {
    }

    public static String encode(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** The text, or an IOException when {@code encoded} is not what {@link #encode} writes. */
    public static String decode(String encoded) throws IOException {
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder()
                .decode(encoded)))) {
            byte[] text = gzip.readNBytes(1 << 20);
            return new String(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IOException("not base64: " + e.getMessage(), e);
        }
    }
}
