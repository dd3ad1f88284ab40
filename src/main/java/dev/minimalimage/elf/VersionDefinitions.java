package dev.minimalimage.elf;

import java.util.ArrayList;
import java.util.List;

/**
 * The symbol versions a shared library defines (SHT_GNU_verdef, .gnu.version_d), e.g. "GLIBC_2.2.5" ... "GLIBC_2.36"
 * in glibc's libc.so.6: the newest one tells the glibc release even when the file is not named libc-2.xx.so.
 */
final class VersionDefinitions {

    static final long SHT_GNU_VERDEF = 0x6ffffffdL;
    /** glibc defines about 50 versions; this bounds the walk over garbage. */
    private static final int MAX_DEFINITIONS = 4096;
    private static final int MAX_NAME = 256;

    private VersionDefinitions() {
    }

    /** Names in file order; empty when there is no readable version definition section. */
    static List<String> names(ElfImage image) {
        List<String> names = new ArrayList<>();
        for (SectionHeader section : image.sections) {
            if (section.type() != SHT_GNU_VERDEF || !section.occupiesFile()) {
                continue;
            }
            SectionHeader strings = image.sectionAt(section.link()).filter(SectionHeader::occupiesFile).orElse(null);
            if (strings != null) {
                walk(image.bytes, section, strings, names);
            }
        }
        return names;
    }

    /** Elf_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32. */
    private static void walk(ElfBytes bytes, SectionHeader section, SectionHeader strings, List<String> names) {
        long at = section.offset();
        try {
            for (int n = 0; n < MAX_DEFINITIONS && at >= section.offset() && at + 20 <= section.end(); n++) {
                long aux = at + bytes.u32(at + 12);
                if (bytes.u16(at + 6) > 0 && aux + 8 <= section.end()) {
                    long nameOffset = bytes.u32(aux); // Elf_Verdaux: vda_name u32, vda_next u32
                    String name = nameOffset < strings.size()
                            ? bytes.cStringOrNull(strings.offset() + nameOffset, strings.end(), MAX_NAME) : null;
                    if (name != null) {
                        names.add(name);
                    }
                }
                long next = bytes.u32(at + 16);
                if (next == 0) {
                    return;
                }
                at += next;
            }
        } catch (ElfFormatException e) {
            // a garbled definition only ends the walk: versions are evidence, never a verdict
        }
    }
}
