package dev.minimalimage.operator.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.PlatformStatus;
import dev.minimalimage.planning.SmokeRuns;

/**
 * The smoke test of a multi-platform image: each platform's run ({@link SmokeRuns}: on a node of its architecture,
 * under emulation, or not run) inspected on its own, and the one verdict they add up to. A failure anywhere fails
 * the image; it passes when every run passed; a platform no node or emulator can run is NotRun with the reason, and
 * never counts as passed.
 */
final class PlatformSmokeTests {

    static final String RUNNING = "Running";
    static final String PASSED = "Passed";
    static final String FAILED = "Failed";
    static final String NOT_RUN = "NotRun";

    /** One platform's part: its state, its pod (null when not run), and what happened or why it did not run. */
    record PlatformSmoke(String platform, String state, String pod, String message) {
    }

    private PlatformSmokeTests() {
    }

    /**
     * The verdict of {@code runs} (the home run first), each run's verdict from {@code inspect}. A single run's
     * verdict is its own; for several, exit code and output stay the home run's (status.smokeTest describes that
     * pod) and a foreign run's failure is named in the message, with its own output.
     */
    static SmokeInspector.Verdict combine(List<SmokeRuns.Run> runs, Function<SmokeRuns.Run, SmokeInspector.Verdict> inspect) {
        SmokeRuns.Run homeRun = runs.get(0);
        SmokeInspector.Verdict home = inspect.apply(homeRun);
        if (runs.size() == 1) {
            return home;
        }
        List<PlatformSmoke> parts = new ArrayList<>();
        List<String> running = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        SmokeInspector.Verdict failed = null;
        String failedAt = null;
        String finishedAt = home.finishedAt();
        for (SmokeRuns.Run run : runs) {
            SmokeInspector.Verdict verdict = run.home() ? home : run.runs() ? inspect.apply(run) : null;
            parts.add(part(run, verdict));
            if (verdict == null) {
                continue;
            }
            String where = run.home() ? "" : run.platform() + " " + run.note() + ": ";
            switch (verdict.state()) {
                case RUNNING -> running.add(where + verdict.message());
                case PASSED -> passed.add(run.platform().toString());
                case FAILED -> {
                    if (failed == null) {
                        failed = verdict;
                        failedAt = where;
                    }
                }
            }
            finishedAt = latest(finishedAt, verdict.finishedAt());
        }
        if (failed != null) {
            return new SmokeInspector.Verdict(SmokeInspector.State.FAILED, failed.reason(), failedAt
                    + failed.message(), home.exitCode(), home.output(), finishedAt, parts);
        }
        if (!running.isEmpty()) {
            return new SmokeInspector.Verdict(SmokeInspector.State.RUNNING, Reasons.SMOKE_TESTING,
                    String.join("; ", running), home.exitCode(), home.output(), null, parts);
        }
        return new SmokeInspector.Verdict(SmokeInspector.State.PASSED, home.reason(), home.message() + " ("
                + String.join(", ", passed) + " passed" + notRun(parts) + ")", home.exitCode(), home.output(),
                finishedAt, parts);
    }

    /** {@code platforms} (null: a single-platform image) with each one's part of {@code verdict}. */
    static List<PlatformStatus> withVerdict(List<PlatformStatus> platforms, SmokeInspector.Verdict verdict) {
        if (platforms == null || verdict == null || verdict.platforms() == null) {
            return platforms;
        }
        Map<String, PlatformSmoke> parts = verdict.platforms().stream()
                .collect(Collectors.toMap(PlatformSmoke::platform, part -> part));
        List<PlatformStatus> updated = new ArrayList<>();
        for (PlatformStatus each : platforms) {
            PlatformStatus copy = copy(each);
            PlatformSmoke part = parts.get(each.getPlatform());
            copy.setSmokeTest(part == null ? null : part.state());
            copy.setSmokeTestPod(part == null ? null : part.pod());
            copy.setSmokeTestMessage(part == null ? null : part.message());
            updated.add(copy);
        }
        return updated;
    }

    private static PlatformSmoke part(SmokeRuns.Run run, SmokeInspector.Verdict verdict) {
        String platform = run.platform().toString();
        if (verdict == null) {
            return new PlatformSmoke(platform, NOT_RUN, null, run.note());
        }
        String state = switch (verdict.state()) {
            case RUNNING -> RUNNING;
            case PASSED -> PASSED;
            case FAILED -> FAILED;
        };
        // the home run's words are in the Ready and SmokeTested conditions; a foreign run's are here
        String message = run.home() ? null : run.note() + (verdict.state() == SmokeInspector.State.PASSED ? ""
                : ": " + verdict.message());
        return new PlatformSmoke(platform, state, run.podName(), message);
    }

    private static String notRun(List<PlatformSmoke> parts) {
        List<String> names = parts.stream().filter(p -> NOT_RUN.equals(p.state())).map(PlatformSmoke::platform)
                .toList();
        return names.isEmpty() ? "" : "; " + String.join(", ", names) + " not run: see status.platforms";
    }

    private static String latest(String a, String b) {
        if (a == null || b == null) {
            return a != null ? a : b;
        }
        return a.compareTo(b) >= 0 ? a : b;
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
        to.setSmokeTestPod(from.getSmokeTestPod());
        to.setSmokeTestMessage(from.getSmokeTestMessage());
        return to;
    }
}
