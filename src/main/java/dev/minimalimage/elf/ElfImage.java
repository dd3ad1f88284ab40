package dev.minimalimage.elf;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The validated header, program headers and section headers of one ELF file. */
final class ElfImage {

    /** Cap for program and section header counts; 16-bit fields, but PN_XNUM / SHN_XINDEX can extend them. */
    static final int MAX_HEADERS = 65535;
    private static final int PN_XNUM = 0xffff;
    private static final int SHN_XINDEX = 0xffff;
    private static final int MAX_SECTION_NAME = 256;

    final ElfBytes bytes;
    final ElfHeader header;
    final List<ProgramHeader> segments;
    final List<SectionHeader> sections;

    private ElfImage(ElfBytes bytes, ElfHeader header, List<ProgramHeader> segments, List<SectionHeader> sections) {
        this.bytes = bytes;
        this.header = header;
        this.segments = segments;
        this.sections = sections;
    }

    /** Parses a file that starts with the ELF magic; everything else is the caller's business. */
    static ElfImage parse(ElfBytes bytes) throws ElfFormatException {
        ElfHeader header = readHeader(bytes);
        SectionZero zero = SectionZero.read(bytes, header);
        List<ProgramHeader> segments = readSegments(bytes, header, zero); // first: what the kernel reads
        List<SectionHeader> sections = readSections(bytes, header, zero);
        return new ElfImage(bytes, header, segments, sections);
    }

    Optional<ProgramHeader> firstSegment(long type) {
        return segments.stream().filter(s -> s.type() == type).findFirst();
    }

    List<ProgramHeader> loadSegments() {
        return segments.stream().filter(s -> s.type() == ProgramHeader.PT_LOAD).toList();
    }

    Optional<SectionHeader> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    Optional<SectionHeader> sectionAt(long index) {
        return index >= 0 && index < sections.size() ? Optional.of(sections.get((int) index)) : Optional.empty();
    }

    private static ElfHeader readHeader(ElfBytes bytes) throws ElfFormatException {
        if (bytes.size() < 16) {
            throw new ElfFormatException("truncated ELF: file is " + bytes.size()
                    + " bytes, shorter than the 16-byte ELF identification");
        }
        boolean is64 = elfClass(bytes.u8(4));
        ByteOrder order = byteOrder(bytes.u8(5));
        int headerSize = is64 ? 64 : 52;
        if (bytes.size() < headerSize) {
            throw new ElfFormatException("truncated ELF: file is " + bytes.size() + " bytes, shorter than the "
                    + headerSize + "-byte " + (is64 ? "ELF64" : "ELF32") + " header");
        }
        bytes.configure(is64, order);
        int w = is64 ? 8 : 4; // e_entry, e_phoff and e_shoff are words; the fields after them shift with w
        return new ElfHeader(is64, order, bytes.u16(16), bytes.u16(18), bytes.word(24), bytes.word(24 + w),
                bytes.word(24 + 2L * w), bytes.u16(28 + 3L * w + 2), bytes.u16(28 + 3L * w + 4),
                bytes.u16(28 + 3L * w + 6), bytes.u16(28 + 3L * w + 8), bytes.u16(28 + 3L * w + 10));
    }

    private static boolean elfClass(int value) throws ElfFormatException {
        return switch (value) {
            case 1 -> false;
            case 2 -> true;
            default -> throw new ElfFormatException("invalid ELF: EI_CLASS is " + value
                    + " (expected 1 = ELF32 or 2 = ELF64)");
        };
    }

    private static ByteOrder byteOrder(int value) throws ElfFormatException {
        return switch (value) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new ElfFormatException("invalid ELF: EI_DATA is " + value
                    + " (expected 1 = little endian or 2 = big endian)");
        };
    }

    private static List<ProgramHeader> readSegments(ElfBytes bytes, ElfHeader h, SectionZero zero)
            throws ElfFormatException {
        long count = h.phnum() == PN_XNUM ? zero.info() : h.phnum();
        if (count == 0) {
            return List.of();
        }
        checkTable(bytes, h.phoff(), count, h.phentsize(), h.programHeaderSize(), "program header");
        List<ProgramHeader> result = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            ProgramHeader segment = readSegment(bytes, h, h.phoff() + (long) i * h.phentsize(), i);
            if (segment.filesz() != 0) {
                bytes.requireInFile(segment.offset(), segment.filesz(), segmentName(segment));
            }
            result.add(segment);
        }
        return List.copyOf(result);
    }

    private static ProgramHeader readSegment(ElfBytes bytes, ElfHeader h, long at, int index)
            throws ElfFormatException {
        if (h.is64()) {
            return new ProgramHeader(index, bytes.u32(at), bytes.u64(at + 8), bytes.u64(at + 16), bytes.u64(at + 32));
        }
        return new ProgramHeader(index, bytes.u32(at), bytes.u32(at + 4), bytes.u32(at + 8), bytes.u32(at + 16));
    }

    static String segmentName(ProgramHeader segment) {
        String type = switch ((int) segment.type()) {
            case 1 -> "PT_LOAD";
            case 2 -> "PT_DYNAMIC";
            case 3 -> "PT_INTERP";
            case 4 -> "PT_NOTE";
            default -> "type 0x" + Long.toHexString(segment.type());
        };
        return "segment " + segment.index() + " (" + type + ")";
    }

    private static List<SectionHeader> readSections(ElfBytes bytes, ElfHeader h, SectionZero zero)
            throws ElfFormatException {
        long count = zero.sectionCount();
        if (count == 0) {
            return List.of();
        }
        checkTable(bytes, h.shoff(), count, h.shentsize(), h.sectionHeaderSize(), "section header");
        List<long[]> raw = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            raw.add(readSectionFields(bytes, h, h.shoff() + (long) i * h.shentsize()));
        }
        long nameIndex = h.shstrndx() == SHN_XINDEX ? zero.link() : h.shstrndx();
        long[] names = nameIndex > 0 && nameIndex < count ? raw.get((int) nameIndex) : null;
        List<SectionHeader> result = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            result.add(toSection(bytes, i, raw.get(i), names));
        }
        return List.copyOf(result);
    }

    /** Returns {name, type, offset, size, link, entsize}. */
    private static long[] readSectionFields(ElfBytes bytes, ElfHeader h, long at) throws ElfFormatException {
        if (h.is64()) {
            return new long[] {bytes.u32(at), bytes.u32(at + 4), bytes.u64(at + 24), bytes.u64(at + 32),
                bytes.u32(at + 40), bytes.u64(at + 56)};
        }
        return new long[] {bytes.u32(at), bytes.u32(at + 4), bytes.u32(at + 16), bytes.u32(at + 20),
            bytes.u32(at + 24), bytes.u32(at + 36)};
    }

    private static SectionHeader toSection(ElfBytes bytes, int index, long[] f, long[] names)
            throws ElfFormatException {
        String name = sectionName(bytes, f[0], names);
        SectionHeader section = new SectionHeader(index, name, f[1], f[2], f[3], f[4], f[5]);
        if (section.occupiesFile()) {
            bytes.requireInFile(section.offset(), section.size(),
                    "section " + index + (name.isEmpty() ? "" : " (" + name + ")"));
        }
        return section;
    }

    /** Section names are only labels here, so an unreadable name becomes "" instead of an error. */
    private static String sectionName(ElfBytes bytes, long nameOffset, long[] names) {
        if (names == null || names[1] == SectionHeader.SHT_NOBITS || names[2] < 0 || names[3] < 0
                || nameOffset >= names[3]) {
            return "";
        }
        String name = bytes.cStringOrNull(names[2] + nameOffset, names[2] + names[3], MAX_SECTION_NAME);
        return name == null ? "" : name;
    }

    private static void checkTable(ElfBytes bytes, long offset, long count, int entrySize, int minimum, String what)
            throws ElfFormatException {
        if (count > MAX_HEADERS) {
            throw new ElfFormatException("invalid ELF: " + count + " " + what + "s, more than the supported "
                    + MAX_HEADERS);
        }
        if (entrySize < minimum) {
            throw new ElfFormatException("invalid ELF: e_" + (what.startsWith("program") ? "ph" : "sh")
                    + "entsize " + entrySize + " is smaller than a " + minimum + "-byte " + what);
        }
        bytes.requireTableInFile(offset, count, entrySize, what + " table");
    }

    /**
     * Section header 0 carries the real counts when they do not fit the 16-bit header fields (PN_XNUM,
     * e_shnum == 0, SHN_XINDEX); read it first and only when the header points to it.
     */
    private record SectionZero(long sectionCount, long info, long link) {

        static SectionZero read(ElfBytes bytes, ElfHeader h) throws ElfFormatException {
            boolean hasTable = h.shoff() != 0;
            boolean needed = h.shnum() == 0 || h.phnum() == PN_XNUM || h.shstrndx() == SHN_XINDEX;
            if (!hasTable || !needed) {
                if (h.phnum() == PN_XNUM && !hasTable) {
                    throw new ElfFormatException("invalid ELF: e_phnum is PN_XNUM (0xffff) but there is no "
                            + "section header 0 holding the real program header count");
                }
                return new SectionZero(hasTable ? h.shnum() : 0, 0, 0);
            }
            checkTable(bytes, h.shoff(), 1, h.shentsize(), h.sectionHeaderSize(), "section header");
            long[] f = readSectionFields(bytes, h, h.shoff());
            long count = h.shnum() == 0 ? f[3] : h.shnum();
            return new SectionZero(count, bytes.u32(h.shoff() + (h.is64() ? 44 : 28)), f[4]);
        }
    }
}
