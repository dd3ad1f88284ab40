package dev.minimalimage.elf;

/** How a file would start on an empty (FROM scratch) root file system. */
public enum Verdict {
    /** Fixed-address executable with no dynamic loader: runs on scratch. */
    Static,
    /** Self-relocating position-independent executable without a loader: runs on scratch. */
    StaticPie,
    /** Needs a program interpreter (ld.so) and usually shared libraries: fails on scratch. */
    Dynamic,
    /** An ELF file that the kernel cannot start as a program (object file, core dump, shared library). */
    NotRunnable,
    /** Not an ELF file at all (script, text, other binary format, empty). */
    NotElf
}
