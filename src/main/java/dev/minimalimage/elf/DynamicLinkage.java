package dev.minimalimage.elf;

import java.util.List;

/**
 * What the dynamic loader reads from one ELF file to find its shared libraries (for resolving a library closure,
 * see {@code dev.minimalimage.image.closure}).
 *
 * @param is64        ELF64 (else ELF32)
 * @param machine     e_machine, e.g. 62 for x86-64
 * @param machineName e.g. "x86-64", as in {@link LinkReport#machine()}
 * @param interpreter PT_INTERP, or null
 * @param soname      DT_SONAME, or null
 * @param rpath       DT_RPATH (colon-separated, unexpanded), or null
 * @param runpath     DT_RUNPATH (colon-separated, unexpanded), or null
 */
public record DynamicLinkage(boolean is64, boolean littleEndian, int machine, String machineName, String interpreter,
        List<String> needed, String soname, String rpath, String runpath) {

    public DynamicLinkage {
        needed = List.copyOf(needed);
    }

    /** Whether the loader would accept {@code other} as a library of this object (same class, byte order, machine). */
    public boolean compatibleWith(DynamicLinkage other) {
        return is64 == other.is64 && littleEndian == other.littleEndian && machine == other.machine;
    }
}
