package dev.minimalimage.result;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a packaging run reports: written to stdout and to the container's termination-message path, where the
 * operator reads it. Always under {@link #MAX_BYTES} because the kubelet keeps only the last 4096 bytes.
 * {@code debugImage} and {@code debugDigest}: the debug twin (`--debug-tag`) by digest, when one was pushed;
 * {@code smokeTest}: `build --smoke-test` (a failed one makes the result Failed, though the image was delivered);
 * {@code sbom}: the SBOM written into the OCI layout as a referrer of the image, when one was.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildResult(String outcome, String reason, String message, String image, String digest,
        Long compressedSize, Long uncompressedSize, Long binarySize, LinkSummary link, String debugImage,
        String debugDigest, SmokeTestResult smokeTest, SbomSummary sbom) {

    public static final int MAX_BYTES = 4096;
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static BuildResult success(String imageByDigest, String digest, long compressedSize, long uncompressedSize,
            long binarySize, LinkSummary link) {
        return new BuildResult(SUCCEEDED, null, null, imageByDigest, digest, compressedSize, uncompressedSize,
                binarySize, link, null, null, null, null);
    }

    /** This result with the debug twin pushed next to the image. */
    public BuildResult withDebugImage(String debugImageByDigest, String twinDigest) {
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize,
                link, debugImageByDigest, twinDigest, smokeTest, sbom);
    }

    /**
     * This result with the smoke test's outcome; a failed test fails the result (image and digest stay), and so does
     * one that could not run when it was {@code required}.
     */
    public BuildResult withSmokeTest(SmokeTestResult test, boolean required) {
        if (test.failed()) {
            return withSmokeTest(test, ResultReason.SmokeTestFailed, "smoke test failed: " + test.message());
        }
        if (!test.ran() && required) {
            return withSmokeTest(test, ResultReason.SmokeTestNotRun, "smoke test could not run here: "
                    + test.message() + " (pass --smoke-test-optional to accept an image that was not smoke-tested)");
        }
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize,
                binarySize, link, debugImage, debugDigest, test, sbom);
    }

    private BuildResult withSmokeTest(SmokeTestResult test, ResultReason failure, String why) {
        return new BuildResult(FAILED, failure.name(), why, image, digest, compressedSize, uncompressedSize,
                binarySize, link, debugImage, debugDigest, test, sbom);
    }

    /** This result with the SBOM that was written as a referrer of the image. */
    public BuildResult withSbom(SbomSummary written) {
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize,
                link, debugImage, debugDigest, smokeTest, written);
    }

    public static BuildResult failure(ResultReason reason, String message, LinkSummary link) {
        return new BuildResult(FAILED, reason.name(), message, null, null, null, null, null, link, null, null,
                null, null);
    }

    public boolean succeeded() {
        return SUCCEEDED.equals(outcome);
    }

    /** Compact JSON of at most 4096 bytes: long lists and texts are cut (and marked) until it fits. */
    public byte[] toJsonBytes() {
        int[][] caps = { { Integer.MAX_VALUE, Integer.MAX_VALUE }, { 32, 1024 }, { 16, 512 }, { 8, 200 }, { 2, 100 } };
        for (int[] cap : caps) {
            byte[] json = serialize(capped(cap[0], cap[1]));
            if (json.length <= MAX_BYTES) {
                return json;
            }
        }
        return serialize(new BuildResult(outcome, reason, Texts.truncate(message, 100), image, digest, compressedSize,
                uncompressedSize, binarySize, null, debugImage, debugDigest,
                smokeTest == null ? null : smokeTest.capped(100), sbom));
    }

    public String toJson() {
        return new String(toJsonBytes(), StandardCharsets.UTF_8);
    }

    public static BuildResult parse(String json) throws JsonProcessingException {
        return JSON.readValue(json, BuildResult.class);
    }

    private BuildResult capped(int maxItems, int textLimit) {
        if (maxItems == Integer.MAX_VALUE) {
            return this;
        }
        return new BuildResult(outcome, reason, Texts.truncate(message, textLimit * 2), image, digest, compressedSize,
                uncompressedSize, binarySize, link == null ? null : link.capped(maxItems, textLimit), debugImage,
                debugDigest, smokeTest == null ? null : smokeTest.capped(textLimit), sbom);
    }

    private static byte[] serialize(BuildResult result) {
        try {
            return JSON.writeValueAsBytes(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a record of strings and numbers always serializes", e);
        }
    }
}
