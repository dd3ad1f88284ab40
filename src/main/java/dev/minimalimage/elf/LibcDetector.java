package dev.minimalimage.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Tells which libc a binary uses, with the evidence in words for the explanation. */
final class LibcDetector {

    record Result(Libc libc, String evidence) {
    }

    private LibcDetector() {
    }

    /** For binaries that name their loader or libraries: the names say it all. */
    static Result fromLinkage(String interpreter, List<String> needed) {
        String interp = interpreter == null ? "" : interpreter.toLowerCase(Locale.ROOT);
        if (interp.contains("ld-musl") || needed.stream().anyMatch(n -> n.startsWith("libc.musl-"))) {
            String evidence = interp.contains("ld-musl") ? "interpreter " + interpreter : "DT_NEEDED libc.musl-*";
            return new Result(Libc.musl, evidence);
        }
        String base = interp.substring(interp.lastIndexOf('/') + 1);
        if (base.startsWith("ld-linux") || base.startsWith("ld64.so")) {
            return new Result(Libc.glibc, "interpreter " + interpreter);
        }
        if (needed.contains("libc.so.6")) {
            return new Result(Libc.glibc, "DT_NEEDED libc.so.6");
        }
        return new Result(Libc.unknown, null);
    }

    /** For static binaries: glibc first (its ABI note is the strongest sign), then musl, then Go. */
    static Result fromStatic(StaticEvidence e) {
        List<String> glibc = glibcEvidence(e);
        if (!glibc.isEmpty()) {
            return new Result(Libc.glibc, String.join(", ", glibc));
        }
        List<String> musl = muslEvidence(e);
        if (!musl.isEmpty()) {
            return new Result(Libc.musl, String.join(", ", musl));
        }
        List<String> go = goEvidence(e);
        if (!go.isEmpty()) {
            return new Result(Libc.none, "Go runtime without libc: " + String.join(", ", go));
        }
        return new Result(Libc.unknown, null);
    }

    /** glibc's crt1.o carries NT_GNU_ABI_TAG (.note.ABI-tag); musl and Go binaries have none. */
    private static List<String> glibcEvidence(StaticEvidence e) {
        List<String> found = new ArrayList<>();
        if (e.hasNote("GNU", ElfNotes.NT_GNU_ABI_TAG)) {
            found.add("NT_GNU_ABI_TAG note");
        }
        if (e.hasMarker(StaticEvidence.GLIBC_TUNABLES)) {
            found.add("string \"" + StaticEvidence.GLIBC_TUNABLES + "\"");
        }
        StaticEvidence.GLIBC_SYMBOLS.stream().filter(e::hasSymbol).sorted().forEach(s -> found.add("symbol " + s));
        return found;
    }

    private static List<String> muslEvidence(StaticEvidence e) {
        List<String> found = new ArrayList<>();
        if (e.muslEntryCode()) {
            found.add("musl _start entry code");
        }
        if (e.hasMarker(StaticEvidence.MUSL_STRERROR)) {
            found.add("string \"" + StaticEvidence.MUSL_STRERROR + "\"");
        }
        StaticEvidence.MUSL_SYMBOLS.stream().filter(e::hasSymbol).sorted().forEach(s -> found.add("symbol " + s));
        return found;
    }

    private static List<String> goEvidence(StaticEvidence e) {
        List<String> found = new ArrayList<>();
        for (String section : List.of(".go.buildinfo", ".note.go.buildid")) {
            if (e.sectionNames().contains(section)) {
                found.add(section);
            }
        }
        if (e.hasNote("Go", ElfNotes.NT_GO_BUILDID) && found.isEmpty()) {
            found.add("Go build ID note");
        }
        if (e.hasMarker(StaticEvidence.GO_BUILDINFO)) {
            found.add("\"Go buildinf:\" magic");
        }
        return found;
    }
}
