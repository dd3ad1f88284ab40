package dev.minimalimage.operator.status;

import java.util.ArrayList;
import java.util.List;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.PlatformStatus;

/**
 * What the smoke test says about each platform of a multi-platform image. The smoke-test pod runs on a node of the
 * architecture its node selector names (linux/amd64 unless spec.build.nodeSelector names kubernetes.io/arch), where
 * the runtime picks that platform's image from the index; every other platform is NotRun, with the reason, never
 * Passed.
 */
final class PlatformSmokeTests {

    static final String RUNNING = "Running";
    static final String PASSED = "Passed";
    static final String FAILED = "Failed";
    static final String NOT_RUN = "NotRun";

    private PlatformSmokeTests() {
    }

    /**
     * {@code platforms} (null: a single-platform image) with the smoke test's state, the pod having run on a node of
     * {@code ran} (os/architecture); unchanged without a test.
     */
    static List<PlatformStatus> withVerdict(List<PlatformStatus> platforms, SmokeInspector.Verdict verdict,
            String ran) {
        if (platforms == null || verdict == null) {
            return platforms;
        }
        List<PlatformStatus> updated = new ArrayList<>();
        for (PlatformStatus each : platforms) {
            PlatformStatus copy = copy(each);
            if (ran.equals(each.getPlatform())) {
                copy.setSmokeTest(switch (verdict.state()) {
                    case RUNNING -> RUNNING;
                    case PASSED -> PASSED;
                    case FAILED -> FAILED;
                });
                copy.setSmokeTestMessage(null);
            } else {
                copy.setSmokeTest(NOT_RUN);
                copy.setSmokeTestMessage("the smoke-test pod runs on a " + ran + " node, where the runtime picks"
                        + " that platform's image; " + each.getPlatform() + " is not run in the cluster"
                        + " (`minimal-image build --platform " + each.getPlatform() + " --smoke-test` runs it under"
                        + " qemu-user; docs/platforms.md)");
            }
            updated.add(copy);
        }
        return updated;
    }

    private static PlatformStatus copy(PlatformStatus from) {
        PlatformStatus to = new PlatformStatus();
        to.setPlatform(from.getPlatform());
        to.setDigest(from.getDigest());
        to.setCompressedSize(from.getCompressedSize());
        to.setVerdict(from.getVerdict());
        to.setLibc(from.getLibc());
        to.setMachine(from.getMachine());
        to.setSbom(from.getSbom());
        to.setSmokeTest(from.getSmokeTest());
        to.setSmokeTestMessage(from.getSmokeTestMessage());
        return to;
    }
}
