package dev.minimalimage.elf;

import java.util.List;

/**
 * What {@link ElfLinkAnalyzer} found out about one file.
 *
 * @param elfClass    "ELF32" or "ELF64"; null for {@link Verdict#NotElf}
 * @param byteOrder   "little" or "big"; null for {@link Verdict#NotElf}
 * @param machine     e.g. "x86-64", "AArch64", or "unknown(0x1234)"; null for {@link Verdict#NotElf}
 * @param type        "EXEC", "DYN", "REL", "CORE" or "unknown(0x..)"; null for {@link Verdict#NotElf}
 * @param interpreter the PT_INTERP path, or null
 * @param explanation one sentence saying why this verdict
 */
public record LinkReport(Verdict verdict, String elfClass, String byteOrder, String machine, String type,
        String interpreter, List<String> needed, Libc libc, List<Hazard> hazards, String explanation, long fileSize) {

    public LinkReport {
        needed = List.copyOf(needed);
        hazards = List.copyOf(hazards);
    }

    public boolean runnableOnScratch() {
        return verdict == Verdict.Static || verdict == Verdict.StaticPie;
    }
}
