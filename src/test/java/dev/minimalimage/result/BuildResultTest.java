package dev.minimalimage.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The result record must survive the kubelet's 4096-byte termination message cap, marking what it cut. */
class BuildResultTest {

    @Test
    void smallRecordsAreKeptWhole() throws Exception {
        LinkSummary link = new LinkSummary("Static", "musl", "x86-64", null, List.of(), null, List.of(), null, "static");
        BuildResult result = BuildResult.success("r/x@sha256:" + "a".repeat(64), "sha256:" + "a".repeat(64), 4660, 18432,
                17728, link);
        BuildResult parsed = BuildResult.parse(result.toJson());
        assertThat(parsed).isEqualTo(result);
        assertThat(result.toJsonBytes().length).isLessThan(BuildResult.MAX_BYTES);
    }

    @Test
    void theDebugTwinSurvivesTheCap() throws Exception {
        String digest = "sha256:" + "b".repeat(64);
        LinkSummary link = new LinkSummary("Static", "musl", "x86-64", null, List.of(), null, List.of(), null,
                "x".repeat(10_000));
        BuildResult result = BuildResult.success("r/" + "x".repeat(250) + "@" + digest, digest, 1, 2, 3, link)
                .withDebugImage("r/" + "x".repeat(250) + "@" + digest, digest);
        byte[] json = result.toJsonBytes();
        assertThat(json.length).isLessThanOrEqualTo(BuildResult.MAX_BYTES);
        BuildResult parsed = BuildResult.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(parsed.debugImage()).isEqualTo(result.debugImage());
        assertThat(parsed.debugDigest()).isEqualTo(digest);
        assertThat(BuildResult.success("r/x@" + digest, digest, 1, 2, 3, null).toJson()).doesNotContain("debug");
    }

    @Test
    void longListsAndMessagesAreCappedAndMarked() throws Exception {
        List<String> needed = IntStream.range(0, 2000).mapToObj(i -> "libverylongname" + i + ".so.1").toList();
        LinkSummary link = new LinkSummary("Dynamic", "glibc", "x86-64", "/lib64/ld-linux-x86-64.so.2", needed, null,
                List.of("nss (getaddrinfo)"), null, "x".repeat(10_000));
        BuildResult result = BuildResult.failure(ResultReason.DynamicDependency, "m".repeat(50_000), link);
        byte[] json = result.toJsonBytes();
        assertThat(json.length).isLessThanOrEqualTo(BuildResult.MAX_BYTES);
        BuildResult parsed = BuildResult.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(parsed.reason()).isEqualTo("DynamicDependency");
        assertThat(parsed.link().neededCapped()).isTrue();
        assertThat(parsed.link().needed()).hasSizeLessThan(needed.size()).startsWith("libverylongname0.so.1");
        assertThat(parsed.message()).endsWith("...(truncated)");
    }

    @Test
    void aFailedSmokeTestKeepsTheImageAndTheEndOfItsOutputUnderTheCap() throws Exception {
        String digest = "sha256:" + "c".repeat(64);
        String output = "x".repeat(OutputTail.CHARS - 20) + "\nthe real reason";
        SmokeTestResult test = SmokeTestResult.verdict(false, 3, output, "65532:65532",
                "exit code 3, expected 0; output:\n" + output);
        BuildResult result = BuildResult.success("r/x@" + digest, digest, 1, 2, 3, null).withSmokeTest(test, true);
        assertThat(result.reason()).isEqualTo("SmokeTestFailed");
        assertThat(ResultReason.SmokeTestFailed.exitCode()).isEqualTo(9);
        BuildResult big = new BuildResult(result.outcome(), result.reason(), "m".repeat(5000), result.image(),
                digest, 1L, 2L, 3L, null, null, null, test, null, null,
                new SbomSummary("sha256:" + "d".repeat(64), "CycloneDX 1.6", 12, "sha256:" + "e".repeat(64)), null);
        byte[] json = big.toJsonBytes();
        assertThat(json.length).isLessThanOrEqualTo(BuildResult.MAX_BYTES);
        BuildResult parsed = BuildResult.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(parsed.digest()).isEqualTo(digest);
        assertThat(parsed.smokeTest().exitCode()).isEqualTo(3);
        assertThat(parsed.smokeTest().output()).endsWith("the real reason");
        assertThat(parsed.sbom().components()).isEqualTo(12); // kept when the record is cut to fit
        assertThat(parsed.sbom().referrer()).isEqualTo("sha256:" + "e".repeat(64));
        assertThat(BuildResult.success("r/x@" + digest, digest, 1, 2, 3, null).toJson()).doesNotContain("smokeTest");
    }
}
