package dev.minimalimage.cli;

import java.nio.file.Path;

import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.Remedies;
import dev.minimalimage.result.ResultReason;

/** Decides whether a binary may be shipped on scratch, and says why not in words a user can act on. */
final class LinkPolicy {

    private LinkPolicy() {
    }

    /**
     * The debug twin's busybox runs on scratch like the binary, and no --allow-dynamic applies to it: it must be a
     * static ELF for the binary's platform.
     *
     * @return null when it may be used, else the failure to report (an argument error: the file given is wrong)
     */
    static BuildResult checkBusybox(Path busybox, LinkReport busyboxLink, LinkReport binaryLink) {
        String problem = null;
        if (busyboxLink.verdict() == Verdict.NotElf) {
            problem = "is not an ELF executable: " + busyboxLink.explanation();
        } else if (!busyboxLink.runnableOnScratch()) {
            problem = "is " + busyboxLink.verdict() + (busyboxLink.interpreter() == null ? ""
                    : " (interpreter " + busyboxLink.interpreter() + ")") + (busyboxLink.needed().isEmpty() ? ""
                    : " and needs " + String.join(", ", busyboxLink.needed()))
                    + ": the twin has no libraries either, so it needs a statically linked busybox"
                    + " (Debian's busybox-static installs one at /bin/busybox)";
        } else if (!busyboxLink.machine().equals(binaryLink.machine())
                || !busyboxLink.elfClass().equals(binaryLink.elfClass())) {
            problem = "is for " + busyboxLink.machine() + " " + busyboxLink.elfClass() + ", the binary for "
                    + binaryLink.machine() + " " + binaryLink.elfClass();
        }
        return problem == null ? null : BuildResult.failure(ResultReason.InvalidArguments,
                "--busybox " + busybox + " " + problem, LinkSummary.of(binaryLink));
    }

    /** @return null when packaging may go on, else the failure to report */
    static BuildResult check(LinkReport link, boolean allowDynamic) {
        // allowDynamic is also set by --bundle for a Dynamic binary: it ships its own loader and libraries
        LinkSummary summary = LinkSummary.of(link);
        if (link.verdict() == Verdict.NotElf) {
            return BuildResult.failure(ResultReason.UnsupportedBinary, "not an ELF executable: " + link.explanation(),
                    summary);
        }
        if (link.runnableOnScratch() || allowDynamic) {
            return null;
        }
        String needs = link.needed().isEmpty() ? "" : "; it needs " + String.join(", ", link.needed());
        String interpreter = link.interpreter() == null ? "" : "; interpreter " + link.interpreter();
        return BuildResult.failure(ResultReason.DynamicDependency, "binary is " + link.verdict()
                + " and would fail on scratch with \"no such file or directory\"" + interpreter + needs
                + Remedies.DYNAMIC_BINARY, summary);
    }
}
