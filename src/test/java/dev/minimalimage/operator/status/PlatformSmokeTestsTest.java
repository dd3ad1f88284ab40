package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.PlatformStatus;
import dev.minimalimage.image.Platform;
import dev.minimalimage.planning.SmokeRuns;
import dev.minimalimage.operator.status.SmokeInspector.State;

/**
 * The verdict of a two-platform image's smoke test, as a table: the home run's state, the arm64 run's (NOT_RUN: no
 * node and no emulator), and what they add up to. A failure anywhere fails; NotRun never counts as passed.
 */
class PlatformSmokeTestsTest {

    static final SmokeRuns.Run HOME = new SmokeRuns.Run(Platform.LINUX_AMD64, SmokeRuns.Placement.NODE, true,
            "app-smoke-h", "reg/app@sha256:index", null);
    static final SmokeRuns.Run EMULATED = new SmokeRuns.Run(Platform.LINUX_ARM64, SmokeRuns.Placement.EMULATED, false,
            "app-smoke-h-arm64", "reg/app@sha256:arm64", "under qemu-aarch64 user-mode emulation");
    static final SmokeRuns.Run NOT_RUN = new SmokeRuns.Run(Platform.LINUX_ARM64, SmokeRuns.Placement.NOT_RUN, false,
            null, null, "not run in the cluster: no node");

    @ParameterizedTest(name = "amd64 {0}, arm64 {1}: {2}")
    @CsvSource({
            "RUNNING, RUNNING, RUNNING, Running, Running",
            "PASSED,  RUNNING, RUNNING, Passed,  Running",
            "RUNNING, PASSED,  RUNNING, Running, Passed",
            "PASSED,  PASSED,  PASSED,  Passed,  Passed",
            "PASSED,  FAILED,  FAILED,  Passed,  Failed",
            "FAILED,  PASSED,  FAILED,  Failed,  Passed",
            "FAILED,  RUNNING, FAILED,  Failed,  Running",
            "PASSED,  NOT_RUN, PASSED,  Passed,  NotRun",
            "RUNNING, NOT_RUN, RUNNING, Running, NotRun",
            "FAILED,  NOT_RUN, FAILED,  Failed,  NotRun",
    })
    void theRunsAddUpToOneVerdict(State home, String arm64, State overall, String amd64Part, String arm64Part) {
        boolean runs = !"NOT_RUN".equals(arm64);
        Map<String, SmokeInspector.Verdict> verdicts = runs
                ? Map.of(HOME.podName(), verdict(home, "home said"), EMULATED.podName(),
                        verdict(State.valueOf(arm64), "arm64 said"))
                : Map.of(HOME.podName(), verdict(home, "home said"));

        SmokeInspector.Verdict combined = PlatformSmokeTests.combine(List.of(HOME, runs ? EMULATED : NOT_RUN),
                run -> verdicts.get(run.podName()));

        assertThat(combined.state()).isEqualTo(overall);
        assertThat(combined.platforms()).extracting(PlatformSmokeTests.PlatformSmoke::state)
                .containsExactly(amd64Part, arm64Part);
        assertThat(combined.exitCode()).as("status.smokeTest describes the home run's pod").isEqualTo(home.ordinal());
        if (overall == State.FAILED && home != State.FAILED) {
            assertThat(combined.message()).startsWith("linux/arm64 under qemu-aarch64 user-mode emulation: arm64 said");
        }
        if (overall == State.PASSED && !runs) {
            assertThat(combined.message()).contains("linux/amd64 passed", "linux/arm64 not run");
        }
        List<PlatformStatus> status = PlatformSmokeTests.withVerdict(List.of(platform("linux/amd64"),
                platform("linux/arm64")), combined);
        assertThat(status).extracting(PlatformStatus::getSmokeTest).containsExactly(amd64Part, arm64Part);
        assertThat(status.get(1).getSmokeTestPod()).isEqualTo(runs ? EMULATED.podName() : null);
        assertThat(status.get(1).getSmokeTestMessage()).contains(runs ? "emulation" : "not run in the cluster");
        assertThat(status).extracting(PlatformStatus::getDigest).containsExactly("sha256:linux/amd64",
                "sha256:linux/arm64");
    }

    @Test
    void aSingleRunIsItsOwnVerdictAndLeavesTheStatusAlone() {
        SmokeInspector.Verdict alone = verdict(State.PASSED, "m");
        SmokeInspector.Verdict combined = PlatformSmokeTests.combine(List.of(HOME), run -> alone);
        assertThat(combined).isSameAs(alone);
        List<PlatformStatus> platforms = List.of(platform("linux/amd64"));
        assertThat(PlatformSmokeTests.withVerdict(platforms, combined)).isSameAs(platforms);
        assertThat(PlatformSmokeTests.withVerdict(null, combined)).as("a single-platform image has no list").isNull();
    }

    private static SmokeInspector.Verdict verdict(State state, String message) {
        return new SmokeInspector.Verdict(state, state == State.FAILED ? Reasons.SMOKE_TEST_FAILED : null, message,
                state.ordinal(), "out", state == State.RUNNING ? null : "2026-12-05T20:00:0" + state.ordinal() + "Z");
    }

    private static PlatformStatus platform(String name) {
        PlatformStatus platform = new PlatformStatus();
        platform.setPlatform(name);
        platform.setDigest("sha256:" + name);
        return platform;
    }
}
