package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.PlatformStatus;

/** The smoke test's verdict per platform of an index, as a table: only linux/amd64 ever runs in the cluster. */
class PlatformSmokeTestsTest {

    @ParameterizedTest(name = "{0}: amd64 {1}, arm64 {2}")
    @CsvSource({
            "RUNNING, Running, NotRun",
            "PASSED,  Passed,  NotRun",
            "FAILED,  Failed,  NotRun",
    })
    void onlyTheAmd64ImageIsRunAndEveryOtherPlatformIsNotRunWithTheReason(SmokeInspector.State state,
            String amd64, String arm64) {
        List<PlatformStatus> before = List.of(platform("linux/amd64"), platform("linux/arm64"));
        SmokeInspector.Verdict verdict = new SmokeInspector.Verdict(state, null, "m", null, null, null);

        List<PlatformStatus> after = PlatformSmokeTests.withVerdict(before, verdict, "linux/amd64");

        assertThat(after).extracting(PlatformStatus::getSmokeTest).containsExactly(amd64, arm64);
        assertThat(after.get(0).getSmokeTestMessage()).isNull();
        assertThat(after.get(1).getSmokeTestMessage()).contains("linux/arm64 is not run in the cluster");
        assertThat(after).extracting(PlatformStatus::getDigest).containsExactly("sha256:linux/amd64",
                "sha256:linux/arm64");
        assertThat(before).extracting(PlatformStatus::getSmokeTest).as("the status it came from is not changed")
                .containsOnlyNulls();
    }

    @org.junit.jupiter.api.Test
    void thePlatformOfTheNodesTheSmokeTestPodSelectsIsTheOneThatRan() {
        List<PlatformStatus> after = PlatformSmokeTests.withVerdict(List.of(platform("linux/amd64"),
                platform("linux/arm64")), new SmokeInspector.Verdict(SmokeInspector.State.PASSED, null, "m", 0, "",
                        null), "linux/arm64");
        assertThat(after).extracting(PlatformStatus::getSmokeTest).containsExactly("NotRun", "Passed");
    }

    @org.junit.jupiter.api.Test
    void withoutASmokeTestOrPlatformsNothingChanges() {
        List<PlatformStatus> platforms = List.of(platform("linux/amd64"));
        assertThat(PlatformSmokeTests.withVerdict(platforms, null, "linux/amd64")).isSameAs(platforms);
        assertThat(PlatformSmokeTests.withVerdict(null, new SmokeInspector.Verdict(SmokeInspector.State.PASSED,
                null, "m", 0, "", null), "linux/amd64")).as("a single-platform image has no list").isNull();
    }

    private static PlatformStatus platform(String name) {
        PlatformStatus platform = new PlatformStatus();
        platform.setPlatform(name);
        platform.setDigest("sha256:" + name);
        return platform;
    }
}
