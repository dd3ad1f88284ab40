package dev.minimalimage.elf;

import java.util.List;

/** The verdict rules: what the kernel and a loader-less root file system make of the program headers. */
final class LinkClassifier {

    private static final int MAX_NAMES_IN_SENTENCE = 6;

    record Classification(Verdict verdict, String explanation) {
    }

    private LinkClassifier() {
    }

    static Classification classify(ElfImage image, String interpreter, DynamicInfo dynamic) {
        ElfHeader h = image.header;
        Classification notAProgram = notAProgram(h.type(), image.loadSegments().isEmpty());
        if (notAProgram != null) {
            return notAProgram;
        }
        if (interpreter != null) {
            return new Classification(Verdict.Dynamic, "PT_INTERP " + interpreter + needs(dynamic.needed())
                    + ": dynamically linked, the loader" + (dynamic.needed().isEmpty() ? "" : " and libraries")
                    + " must exist at runtime");
        }
        if (!dynamic.needed().isEmpty()) {
            return new Classification(Verdict.NotRunnable, "DT_NEEDED " + names(dynamic.needed())
                    + " but no PT_INTERP (no program interpreter): a shared library, not runnable");
        }
        if (h.entry() == 0) {
            return new Classification(Verdict.NotRunnable,
                    "entry point 0 and no PT_INTERP: a shared object without dependencies, not a program");
        }
        return staticKind(h.type(), dynamic);
    }

    private static Classification notAProgram(int type, boolean noLoadSegments) {
        return switch (type) {
            case ElfHeader.ET_REL -> new Classification(Verdict.NotRunnable,
                    "ET_REL: a relocatable object file (.o) that must be linked into an executable first");
            case ElfHeader.ET_CORE -> new Classification(Verdict.NotRunnable, "ET_CORE: a core dump, not a program");
            case ElfHeader.ET_EXEC, ElfHeader.ET_DYN -> noLoadSegments ? new Classification(Verdict.NotRunnable,
                    "no PT_LOAD segment: nothing for the kernel to map, not runnable") : null;
            default -> new Classification(Verdict.NotRunnable,
                    "ELF type " + typeName(type) + " is neither EXEC nor DYN: not an executable");
        };
    }

    private static Classification staticKind(int type, DynamicInfo dynamic) {
        if (type == ElfHeader.ET_DYN && dynamic.present()) {
            return new Classification(Verdict.StaticPie, "ET_DYN with PT_DYNAMIC but no PT_INTERP and no DT_NEEDED"
                    + (dynamic.pieFlag() ? " (DF_1_PIE set)" : "") + ": static-pie, relocates itself");
        }
        if (type == ElfHeader.ET_DYN) {
            return new Classification(Verdict.Static,
                    "ET_DYN without PT_INTERP or PT_DYNAMIC: nothing to relocate or load, runs as a static binary");
        }
        if (dynamic.present()) {
            return new Classification(Verdict.Static,
                    "ET_EXEC without PT_INTERP or DT_NEEDED (its PT_DYNAMIC is unused): statically linked");
        }
        return new Classification(Verdict.Static, "no PT_INTERP and no PT_DYNAMIC: statically linked");
    }

    private static String needs(List<String> needed) {
        return needed.isEmpty() ? "" : " and DT_NEEDED " + names(needed);
    }

    /** Keeps the sentence readable for programs with dozens of libraries (the report lists them all). */
    private static String names(List<String> needed) {
        int shown = Math.min(needed.size(), MAX_NAMES_IN_SENTENCE);
        String head = String.join(", ", needed.subList(0, shown));
        return shown == needed.size() ? head : head + " and " + (needed.size() - shown) + " more";
    }

    static String typeName(int type) {
        return switch (type) {
            case ElfHeader.ET_REL -> "REL";
            case ElfHeader.ET_EXEC -> "EXEC";
            case ElfHeader.ET_DYN -> "DYN";
            case ElfHeader.ET_CORE -> "CORE";
            default -> String.format("unknown(0x%x)", type);
        };
    }

    static String machineName(int machine) {
        return switch (machine) {
            case 2 -> "SPARC";
            case 3 -> "i386";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "s390";
            case 40 -> "ARM";
            case 43 -> "SPARC64";
            case 62 -> "x86-64";
            case 183 -> "AArch64";
            case 243 -> "RISC-V";
            case 258 -> "LoongArch";
            default -> String.format("unknown(0x%x)", machine);
        };
    }
}
