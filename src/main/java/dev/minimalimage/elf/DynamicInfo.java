package dev.minimalimage.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the PT_DYNAMIC segment says: DT_NEEDED libraries, DT_FLAGS_1 and, for resolving shared libraries, DT_SONAME,
 * DT_RPATH and DT_RUNPATH (null when absent).
 */
record DynamicInfo(boolean present, List<String> needed, long flags1, String soname, String rpath, String runpath) {

    /** Report cap; real programs need a few dozen libraries at most. */
    static final int MAX_NEEDED = 256;
    /** Real dynamic sections have ~30-60 entries; this bounds the loop on garbage without a DT_NULL. */
    static final int MAX_ENTRIES = 65536;
    static final long DF_1_PIE = 0x08000000L;

    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;
    private static final long DT_SONAME = 14;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;
    private static final long DT_FLAGS_1 = 0x6ffffffbL;

    static final DynamicInfo ABSENT = new DynamicInfo(false, List.of(), 0, null, null, null);

    boolean pieFlag() {
        return (flags1 & DF_1_PIE) != 0;
    }

    static DynamicInfo read(ElfImage image) throws ElfFormatException {
        Optional<ProgramHeader> dynamic = image.firstSegment(ProgramHeader.PT_DYNAMIC);
        if (dynamic.isEmpty()) {
            return ABSENT;
        }
        Entries entries = Entries.read(image.bytes, dynamic.get());
        if (entries.neededOffsets.isEmpty() && !entries.hasStrings()) {
            return new DynamicInfo(true, List.of(), entries.flags1, null, null, null);
        }
        StringTable strings;
        try {
            strings = StringTable.locate(image, entries.strtab, entries.strsz);
        } catch (ElfFormatException e) {
            if (!entries.neededOffsets.isEmpty()) {
                throw e;
            }
            // only SONAME/RPATH/RUNPATH to read: a broken string table leaves them unknown, as before they existed
            return new DynamicInfo(true, List.of(), entries.flags1, null, null, null);
        }
        List<String> needed = new ArrayList<>();
        for (long nameOffset : entries.neededOffsets) {
            needed.add(strings.read(image.bytes, nameOffset, "DT_NEEDED name"));
        }
        return new DynamicInfo(true, List.copyOf(needed), entries.flags1,
                strings.readOptional(image.bytes, entries.soname, "DT_SONAME"),
                strings.readOptional(image.bytes, entries.rpath, "DT_RPATH"),
                strings.readOptional(image.bytes, entries.runpath, "DT_RUNPATH"));
    }

    /** The raw entries of interest; DT_STRTAB and the string offsets are -1 when absent. */
    private static final class Entries {
        final List<Long> neededOffsets = new ArrayList<>();
        long strtab = -1;
        long strsz = -1;
        long flags1;
        long soname = -1;
        long rpath = -1;
        long runpath = -1;

        boolean hasStrings() {
            return soname != -1 || rpath != -1 || runpath != -1;
        }

        static Entries read(ElfBytes bytes, ProgramHeader segment) throws ElfFormatException {
            int entrySize = bytes.is64() ? 16 : 8;
            long count = segment.filesz() / entrySize;
            Entries entries = new Entries();
            for (long i = 0; i < Math.min(count, MAX_ENTRIES); i++) {
                long at = segment.offset() + i * entrySize;
                long tag = bytes.is64() ? bytes.u64(at) : bytes.s32(at);
                if (tag == DT_NULL) {
                    return entries;
                }
                entries.accept(tag, bytes.word(at + entrySize / 2));
            }
            if (count > MAX_ENTRIES) {
                throw new ElfFormatException("invalid ELF: PT_DYNAMIC has no DT_NULL within its first "
                        + MAX_ENTRIES + " entries");
            }
            return entries; // ran to the end of the segment without DT_NULL: tolerated, nothing left to read
        }

        private void accept(long tag, long value) {
            if (tag == DT_NEEDED && neededOffsets.size() < MAX_NEEDED) {
                neededOffsets.add(value);
            } else if (tag == DT_STRTAB) {
                strtab = value;
            } else if (tag == DT_STRSZ) {
                strsz = value;
            } else if (tag == DT_FLAGS_1) {
                flags1 = value;
            } else if (tag == DT_SONAME) {
                soname = value;
            } else if (tag == DT_RPATH) {
                rpath = value;
            } else if (tag == DT_RUNPATH) {
                runpath = value;
            }
        }
    }

    /** The dynamic string table as a file range [offset, end). */
    private record StringTable(long offset, long end) {

        /** DT_STRTAB is a virtual address: map it through PT_LOAD, else fall back to the .dynstr section. */
        static StringTable locate(ElfImage image, long address, long declaredSize) throws ElfFormatException {
            if (address != -1) {
                for (ProgramHeader load : image.loadSegments()) {
                    long offset = load.fileOffsetOf(address);
                    if (offset >= 0) {
                        return new StringTable(offset, limit(offset, declaredSize, load.fileEnd()));
                    }
                }
            }
            Optional<SectionHeader> dynstr = dynstrSection(image);
            if (dynstr.isPresent()) {
                return new StringTable(dynstr.get().offset(), dynstr.get().end());
            }
            throw new ElfFormatException("invalid ELF: DT_STRTAB " + (address == -1 ? "is missing"
                    : "0x" + Long.toHexString(address) + " is not inside any PT_LOAD segment")
                    + " and there is no .dynstr section, so DT_NEEDED names cannot be read");
        }

        private static long limit(long offset, long declaredSize, long segmentEnd) {
            if (declaredSize < 0 || offset + declaredSize < 0) {
                return segmentEnd;
            }
            return Math.min(offset + declaredSize, segmentEnd);
        }

        private static Optional<SectionHeader> dynstrSection(ElfImage image) {
            Optional<SectionHeader> linked = image.sections.stream()
                    .filter(s -> s.type() == SectionHeader.SHT_DYNAMIC)
                    .flatMap(s -> image.sectionAt(s.link()).stream()).findFirst();
            return linked.or(() -> image.section(".dynstr"))
                    .filter(s -> s.type() == SectionHeader.SHT_STRTAB && s.occupiesFile());
        }

        /** SONAME, RPATH, RUNPATH: absent or unreadable is null (they never changed a verdict, so never an error). */
        String readOptional(ElfBytes bytes, long nameOffset, String what) {
            try {
                return nameOffset == -1 ? null : read(bytes, nameOffset, what);
            } catch (ElfFormatException e) {
                return null;
            }
        }

        String read(ElfBytes bytes, long nameOffset, String what) throws ElfFormatException {
            if (nameOffset < 0 || nameOffset >= end - offset) {
                throw new ElfFormatException("invalid ELF: " + what + " offset " + Long.toUnsignedString(nameOffset)
                        + " lies outside the dynamic string table (" + (end - offset) + " bytes)");
            }
            return bytes.cString(offset + nameOffset, end, what);
        }
    }
}
