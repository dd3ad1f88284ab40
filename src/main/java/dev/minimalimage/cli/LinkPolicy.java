package dev.minimalimage.cli;

import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.ResultReason;

/** Decides whether a binary may be shipped on scratch, and says why not in words a user can act on. */
final class LinkPolicy {

    private LinkPolicy() {
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
                + " (link statically, or pass --bundle to ship its libraries with it, or --allow-dynamic to ship it anyway)",
                summary);
    }
}
