package dev.minimalimage.cli;

import java.nio.file.Path;

import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.image.Platform;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.ResultReason;

/**
 * A binary built for a platform must be an ELF for that platform's machine, class and byte order: a preset or script
 * that ignored the target would otherwise ship an amd64 program under an arm64 descriptor, which fails only on the
 * node, with "exec format error".
 */
final class PlatformCheck {

    private PlatformCheck() {
    }

    /**
     * --bundle and --debug-tag ship this host's libraries and busybox, which are for this host's machine: refused
     * (null when neither is given) for any platform but the host's, and for several platforms.
     */
    static BuildResult hostOnlyOptions(boolean bundle, String debugTag, java.util.List<Platform> platforms) {
        if (!bundle && debugTag == null) {
            return null;
        }
        boolean hostOnly = platforms.stream().allMatch(p -> p.architecture().equals(Emulation.hostArchitecture()));
        if (platforms.size() <= 1 && hostOnly) {
            return null;
        }
        return BuildResult.failure(ResultReason.InvalidArguments, (bundle ? "--bundle ships this host's libraries"
                : "--debug-tag ships this host's busybox") + ", built for " + Emulation.hostArchitecture()
                + ": it makes one image for this host's platform, not for "
                + String.join(", ", platforms.stream().map(Platform::toString).toList())
                + "; drop it, or build this host's platform alone", null);
    }

    /** Null when {@code link} fits {@code expected} (or nothing is expected), else the PlatformMismatch naming both. */
    static BuildResult check(Path binary, LinkReport link, Platform expected) {
        if (expected == null || link.verdict() == Verdict.NotElf) {
            return null; // not an ELF: the link policy's own refusal says so
        }
        boolean fits = expected.elfMachine().equals(link.machine()) && expected.elfClass().equals(link.elfClass())
                && expected.byteOrder().equals(link.byteOrder());
        if (fits) {
            return null;
        }
        return BuildResult.failure(ResultReason.PlatformMismatch, binary.getFileName() + " is an " + link.elfClass()
                + " " + link.byteOrder() + "-endian " + link.machine() + " ELF, but the build is for " + expected
                + " (" + expected.elfClass() + " " + expected.byteOrder() + "-endian " + expected.elfMachine()
                + "): the compile step did not build for the target platform", LinkSummary.of(link));
    }
}
