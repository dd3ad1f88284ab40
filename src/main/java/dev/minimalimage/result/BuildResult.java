package dev.minimalimage.result;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a packaging run reports: written to stdout and to the container's termination-message path, where the
 * operator reads it. Always under {@link #MAX_BYTES} because the kubelet keeps only the last 4096 bytes.
 * {@code debugImage} and {@code debugDigest}: the debug twin (`--debug-tag`) by digest, when one was pushed;
 * {@code smokeTest}: `build --smoke-test` (a failed one makes the result Failed, though the image was delivered);
 * {@code files}: `build --dockerfile`, the files of the final stage with their verdicts ({@code filesCapped} when
 * the list was cut to fit).
 * {@code sbom}: the SBOM delivered as a referrer of the image (in the OCI layout, in the registry), when one was; an
 * SBOM that could not be pushed fails the result ({@link #failedAfterDelivery}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildResult(String outcome, String reason, String message, String image, String digest,
        Long compressedSize, Long uncompressedSize, Long binarySize, LinkSummary link, String debugImage,
        String debugDigest, SmokeTestResult smokeTest, List<FileVerdict> files, Boolean filesCapped,
        SbomSummary sbom, List<PlatformResult> platforms) {

    /**
     * A multi-platform build's image for one platform: its manifest digest, the bytes a registry stores for it, its
     * binary's link verdict, its smoke test and its SBOM. The record's own digest is then the index's.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlatformResult(String platform, String digest, Long compressedSize, Long binarySize,
            LinkSummary link, SmokeTestResult smokeTest, SbomSummary sbom) {

        public PlatformResult withSmokeTest(SmokeTestResult test) {
            return new PlatformResult(platform, digest, compressedSize, binarySize, link, test, sbom);
        }

        public PlatformResult withSbom(SbomSummary written) {
            return new PlatformResult(platform, digest, compressedSize, binarySize, link, smokeTest, written);
        }

        PlatformResult capped(int maxItems, int textLimit) {
            return new PlatformResult(platform, digest, compressedSize, binarySize,
                    link == null ? null : link.capped(maxItems, textLimit),
                    smokeTest == null ? null : smokeTest.capped(textLimit), sbom);
        }
    }

    /** One file of a Dockerfile's final stage: its path, its ELF verdict (or NotElf), what a dynamic one needs. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record FileVerdict(String path, String verdict, List<String> needed) {
        FileVerdict capped(int textLimit) {
            return new FileVerdict(Texts.truncate(path, textLimit), verdict, needed == null ? null
                    : Texts.head(needed, 4));
        }
    }

    /** Without the file list (every result but a Dockerfile build's). */
    public BuildResult(String outcome, String reason, String message, String image, String digest,
            Long compressedSize, Long uncompressedSize, Long binarySize, LinkSummary link, String debugImage,
            String debugDigest, SmokeTestResult smokeTest) {
        this(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize, link, debugImage,
                debugDigest, smokeTest, null, null, null, null);
    }

    /** This result with the final stage's files and their verdicts. */
    public BuildResult withFiles(List<FileVerdict> verdicts) {
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize,
                link, debugImage, debugDigest, smokeTest, List.copyOf(verdicts), null, sbom, platforms);
    }

    public static final int MAX_BYTES = 4096;
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static BuildResult success(String imageByDigest, String digest, long compressedSize, long uncompressedSize,
            long binarySize, LinkSummary link) {
        return new BuildResult(SUCCEEDED, null, null, imageByDigest, digest, compressedSize, uncompressedSize,
                binarySize, link, null, null, null);
    }

    /** This result with the debug twin pushed next to the image. */
    public BuildResult withDebugImage(String debugImageByDigest, String twinDigest) {
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize,
                link, debugImageByDigest, twinDigest, smokeTest, files, filesCapped, sbom, platforms);
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
                binarySize, link, debugImage, debugDigest, test, files, filesCapped, sbom, platforms);
    }

    private BuildResult withSmokeTest(SmokeTestResult test, ResultReason failure, String why) {
        return new BuildResult(FAILED, failure.name(), why, image, digest, compressedSize, uncompressedSize,
                binarySize, link, debugImage, debugDigest, test, files, filesCapped, sbom, platforms);
    }

    /** This result with the SBOM that was written as a referrer of the image. */
    public BuildResult withSbom(SbomSummary written) {
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize,
                link, debugImage, debugDigest, smokeTest, files, filesCapped, written, platforms);
    }

    /**
     * This result failed after its image was delivered (its SBOM could not be pushed): image and digest stay, so the
     * record says what is in the registry, and the reason is the push failure's.
     */
    public BuildResult failedAfterDelivery(ResultReason failure, String why) {
        return new BuildResult(FAILED, failure.name(), why, image, digest, compressedSize, uncompressedSize,
                binarySize, link, debugImage, debugDigest, smokeTest, files, filesCapped, null, platforms);
    }

    /**
     * A multi-platform image delivered as an index: the reference and digest are the index's, the sizes the sums over
     * the platforms' images (what a registry stores, what a mirror of every platform pulls), the link verdict the
     * first platform's (each platform's own is in {@code platforms}).
     */
    public static BuildResult multiPlatform(String indexByDigest, String indexDigest, long compressedSize,
            List<PlatformResult> platforms) {
        PlatformResult first = platforms.get(0);
        return new BuildResult(SUCCEEDED, null, null, indexByDigest, indexDigest, compressedSize, null,
                platforms.stream().mapToLong(p -> p.binarySize() == null ? 0 : p.binarySize()).sum(), first.link(),
                null, null, null, null, null, null, List.copyOf(platforms));
    }

    /** This result with its platforms' smoke tests and SBOMs as they came out. */
    public BuildResult withPlatforms(List<PlatformResult> updated) {
        return new BuildResult(outcome, reason, message, image, digest, compressedSize, uncompressedSize, binarySize,
                link, debugImage, debugDigest, smokeTest, files, filesCapped, sbom, List.copyOf(updated));
    }

    /** This result failed, with {@code failure} for {@code why}; what was delivered stays. */
    public BuildResult failedWith(ResultReason failure, String why) {
        return new BuildResult(FAILED, failure.name(), why, image, digest, compressedSize, uncompressedSize,
                binarySize, link, debugImage, debugDigest, smokeTest, files, filesCapped, sbom, platforms);
    }

    public static BuildResult failure(ResultReason reason, String message, LinkSummary link) {
        return new BuildResult(FAILED, reason.name(), message, null, null, null, null, null, link, null, null,
                null);
    }

    public boolean succeeded() {
        return SUCCEEDED.equals(outcome);
    }

    /** Compact JSON of at most 4096 bytes: long lists and texts are cut (and marked) until it fits. */
    public byte[] toJsonBytes() {
        int[][] caps = { { Integer.MAX_VALUE, Integer.MAX_VALUE }, { 32, 1024 }, { 16, 512 }, { 8, 200 }, { 2, 100 },
                { 1, 60 } };
        for (int[] cap : caps) {
            byte[] json = serialize(capped(cap[0], cap[1]));
            if (json.length <= MAX_BYTES) {
                return json;
            }
        }
        return serialize(new BuildResult(outcome, reason, Texts.truncate(message, 100), image, digest, compressedSize,
                uncompressedSize, binarySize, null, debugImage, debugDigest,
                smokeTest == null ? null : smokeTest.capped(100), null, files == null ? null : Boolean.TRUE, sbom,
                platforms == null ? null : platforms.stream().map(p -> p.capped(1, 60)).toList()));
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
                debugDigest, smokeTest == null ? null : smokeTest.capped(textLimit), cappedFiles(maxItems, textLimit),
                files != null && (files.size() > maxItems || Boolean.TRUE.equals(filesCapped)) ? Boolean.TRUE : null,
                sbom, platforms == null ? null : platforms.stream().map(p -> p.capped(maxItems, textLimit)).toList());
    }

    /** The files the record keeps: the problems first (a dynamic file is what the reader must see), then the rest. */
    private List<FileVerdict> cappedFiles(int maxItems, int textLimit) {
        if (files == null) {
            return null;
        }
        List<FileVerdict> ordered = new java.util.ArrayList<>(files.stream().filter(f -> f.needed() != null
                && !f.needed().isEmpty()).toList());
        files.stream().filter(f -> f.needed() == null || f.needed().isEmpty()).forEach(ordered::add);
        return Texts.head(ordered, maxItems).stream().map(f -> f.capped(textLimit)).toList();
    }

    private static byte[] serialize(BuildResult result) {
        try {
            return JSON.writeValueAsBytes(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a record of strings and numbers always serializes", e);
        }
    }
}
