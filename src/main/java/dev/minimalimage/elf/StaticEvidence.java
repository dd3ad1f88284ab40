package dev.minimalimage.elf;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything a static binary reveals about its libc and hazards, gathered in one pass: notes, section names,
 * a few symbol names (unstripped binaries only), marker strings in the loaded segments and the entry code.
 * The markers were chosen by comparing binaries built on Debian bookworm (glibc 2.36, musl 1.2.3, Go 1.19,
 * rustc 1.95 +crt-static) with readelf and strings; see the constants for what each one proved.
 */
record StaticEvidence(Set<String> notes, Set<String> sectionNames, Set<String> symbols, Set<String> markers,
        List<String> libraryNames, boolean muslEntryCode) {

    /** In every glibc since 2.26 (tunables); absent from musl, Go and Rust-without-glibc binaries. */
    static final String GLIBC_TUNABLES = "GLIBC_TUNABLES";
    /** musl's strerror(0) text (glibc says "Success"); present once strerror/perror/%m is linked. */
    static final String MUSL_STRERROR = "No error information";
    /** Magic at the start of Go's .go.buildinfo, kept by -ldflags='-s -w'. */
    static final String GO_BUILDINFO = "\u00ff Go buildinf:";
    /** glibc's NSS module loader builds "libnss_%s.so%s"; only linked when an NSS lookup is (st hello: absent). */
    static final String NSS_MODULE_PREFIX = "libnss_";
    /** Read by glibc's NSS (and by Go's pure resolver, hence only supporting evidence). */
    static final String NSS_CONFIG = "/etc/nsswitch.conf";

    /** glibc-only symbols; musl's static start code defines __init_libc and _start_c instead. */
    static final Set<String> GLIBC_SYMBOLS = Set.of("__libc_setup_tls", "_dl_relocate_static_pie");
    static final Set<String> MUSL_SYMBOLS = Set.of("__init_libc", "_start_c");

    static StaticEvidence gather(ElfImage image, Set<String> hazardSymbols) throws ElfFormatException {
        Set<String> wanted = new HashSet<>(hazardSymbols);
        wanted.addAll(GLIBC_SYMBOLS);
        wanted.addAll(MUSL_SYMBOLS);
        ContentScanner.Findings findings = ContentScanner.scan(image,
                Set.of(GLIBC_TUNABLES, MUSL_STRERROR, GO_BUILDINFO, NSS_MODULE_PREFIX, NSS_CONFIG));
        return new StaticEvidence(ElfNotes.keys(image),
                image.sections.stream().map(SectionHeader::name).collect(Collectors.toSet()),
                SymbolNames.defined(image, wanted), findings.markers(),
                findings.libraryNames(), EntryCode.isMuslStart(image));
    }

    boolean hasNote(String owner, long type) {
        return notes.contains(ElfNotes.key(owner, type));
    }

    boolean hasSymbol(String name) {
        return symbols.contains(name);
    }

    boolean hasMarker(String marker) {
        return markers.contains(marker);
    }
}
