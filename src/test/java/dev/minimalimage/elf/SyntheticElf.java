package dev.minimalimage.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out small ELF files by hand for what no local compiler produces (other classes, byte orders and
 * machines) and as a base for crafted hostile headers. Layout: ELF header, program headers (PT_LOAD over the
 * whole file, then PT_INTERP and PT_DYNAMIC when asked for), interpreter string, .dynstr, dynamic array,
 * optionally section headers [NULL, .dynstr, .shstrtab].
 */
final class SyntheticElf {

    static final long BASE = 0x10000;
    static final int EM_MIPS = 8;
    static final int EM_PPC64 = 21;
    static final int EM_S390 = 22;
    static final long PT_LOAD = 1;
    static final long PT_DYNAMIC = 2;
    static final long PT_INTERP = 3;
    static final long DT_NEEDED = 1;
    static final long DT_STRTAB = 5;
    static final long DT_STRSZ = 10;
    static final long DT_FLAGS_1 = 0x6ffffffbL;

    /** Where things ended up, for tests that patch the bytes afterwards. */
    record Layout(int phoff, int phnum, int interpOffset, int dynstrOffset, int dynamicOffset, int shoff) {
    }

    private final boolean is64;
    private final ByteOrder order;
    private final int machine;
    private int type = 2;
    private String interpreter;
    private final List<String> needed = new ArrayList<>();
    private boolean dynamic;
    private boolean strtabOutsideLoad;
    private boolean sectionHeaders;
    private Layout layout;

    SyntheticElf(boolean is64, ByteOrder order, int machine) {
        this.is64 = is64;
        this.order = order;
        this.machine = machine;
    }

    static SyntheticElf elf64Little(int machine) {
        return new SyntheticElf(true, ByteOrder.LITTLE_ENDIAN, machine);
    }

    SyntheticElf type(int elfType) {
        this.type = elfType;
        return this;
    }

    SyntheticElf interpreter(String path) {
        this.interpreter = path;
        return this;
    }

    SyntheticElf needed(String... names) {
        needed.addAll(List.of(names));
        dynamic = true;
        return this;
    }

    /** PT_DYNAMIC holding only DT_FLAGS_1 = DF_1_PIE, as a static-pie has. */
    SyntheticElf dynamicSection() {
        dynamic = true;
        return this;
    }

    /** DT_STRTAB names an address no PT_LOAD covers, so only the .dynstr section can resolve names. */
    SyntheticElf strtabOutsideLoad() {
        strtabOutsideLoad = true;
        return this;
    }

    SyntheticElf sectionHeaders() {
        sectionHeaders = true;
        return this;
    }

    Layout layout() {
        return layout;
    }

    byte[] build() {
        ByteBuffer b = ByteBuffer.allocate(8192).order(order);
        int ehsize = is64 ? 64 : 52;
        int phentsize = is64 ? 56 : 32;
        int phnum = 1 + (interpreter != null ? 1 : 0) + (dynamic ? 1 : 0);
        int pos = align(ehsize + phnum * phentsize);
        int interpOffset = pos;
        pos = putString(b, pos, interpreter);
        int dynstrOffset = pos;
        byte[] dynstr = dynstr();
        b.put(dynstrOffset, dynstr);
        int dynamicOffset = align(dynstrOffset + dynstr.length);
        pos = dynamic ? writeDynamic(b, dynamicOffset, dynstrOffset, dynstr.length) : dynamicOffset;
        int shoff = sectionHeaders ? writeSections(b, pos, dynstrOffset, dynstr.length) : 0;
        int size = sectionHeaders ? shoff + 3 * (is64 ? 64 : 40) : pos;
        writeHeader(b, phnum, shoff, dynstrOffset);
        writeSegments(b, ehsize, size, interpOffset, dynamicOffset, pos - dynamicOffset);
        layout = new Layout(ehsize, phnum, interpOffset, dynstrOffset, dynamicOffset, shoff);
        return Arrays.copyOf(b.array(), size);
    }

    private void writeHeader(ByteBuffer b, int phnum, int shoff, int entryOffset) {
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1),
            (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
        b.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, 1);
        int w = is64 ? 8 : 4;
        putWord(b, 24, BASE + entryOffset);
        putWord(b, 24 + w, is64 ? 64 : 52);
        putWord(b, 24 + 2 * w, shoff);
        int fields = 28 + 3 * w; // e_flags, then the 16-bit fields
        b.putShort(fields, (short) (is64 ? 64 : 52)).putShort(fields + 2, (short) (is64 ? 56 : 32))
                .putShort(fields + 4, (short) phnum).putShort(fields + 6, (short) (is64 ? 64 : 40))
                .putShort(fields + 8, (short) (sectionHeaders ? 3 : 0))
                .putShort(fields + 10, (short) (sectionHeaders ? 2 : 0));
    }

    private void writeSegments(ByteBuffer b, int phoff, int fileSize, int interpOffset, int dynamicOffset,
            int dynamicSize) {
        int at = phoff;
        at = putSegment(b, at, PT_LOAD, 0, fileSize);
        if (interpreter != null) {
            at = putSegment(b, at, PT_INTERP, interpOffset, interpreter.length() + 1);
        }
        if (dynamic) {
            putSegment(b, at, PT_DYNAMIC, dynamicOffset, dynamicSize);
        }
    }

    private int putSegment(ByteBuffer b, int at, long segmentType, long offset, long size) {
        b.putInt(at, (int) segmentType);
        if (is64) {
            b.putLong(at + 8, offset).putLong(at + 16, BASE + offset).putLong(at + 24, BASE + offset)
                    .putLong(at + 32, size).putLong(at + 40, size).putLong(at + 48, 8);
            return at + 56;
        }
        b.putInt(at + 4, (int) offset).putInt(at + 8, (int) (BASE + offset)).putInt(at + 12, (int) (BASE + offset))
                .putInt(at + 16, (int) size).putInt(at + 20, (int) size).putInt(at + 28, 4);
        return at + 32;
    }

    private int writeDynamic(ByteBuffer b, int at, int dynstrOffset, int dynstrSize) {
        int nameOffset = 1;
        for (String name : needed) {
            at = putDynamic(b, at, DT_NEEDED, nameOffset);
            nameOffset += name.length() + 1;
        }
        long strtab = strtabOutsideLoad ? 0x7fff0000L : BASE + dynstrOffset;
        at = putDynamic(b, at, DT_STRTAB, strtab);
        at = putDynamic(b, at, DT_STRSZ, dynstrSize);
        at = putDynamic(b, at, DT_FLAGS_1, 0x08000000L);
        return putDynamic(b, at, 0, 0);
    }

    private int putDynamic(ByteBuffer b, int at, long tag, long value) {
        putWord(b, at, tag);
        putWord(b, at + (is64 ? 8 : 4), value);
        return at + (is64 ? 16 : 8);
    }

    /** Writes .shstrtab at {@code at}, then the section headers; returns the section header offset. */
    private int writeSections(ByteBuffer b, int at, int dynstrOffset, int dynstrSize) {
        byte[] names = "\0.dynstr\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        b.put(at, names);
        int shoff = align(at + names.length);
        int entry = is64 ? 64 : 40;
        putSection(b, shoff + entry, 1, 3, dynstrOffset, dynstrSize);
        putSection(b, shoff + 2 * entry, 9, 3, at, names.length);
        return shoff;
    }

    private void putSection(ByteBuffer b, int at, int name, int sectionType, long offset, long size) {
        b.putInt(at, name).putInt(at + 4, sectionType);
        if (is64) {
            b.putLong(at + 24, offset).putLong(at + 32, size);
        } else {
            b.putInt(at + 16, (int) offset).putInt(at + 20, (int) size);
        }
    }

    private byte[] dynstr() {
        StringBuilder s = new StringBuilder("\0");
        needed.forEach(n -> s.append(n).append('\0'));
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private int putString(ByteBuffer b, int at, String value) {
        if (value == null) {
            return at;
        }
        byte[] bytes = (value + "\0").getBytes(StandardCharsets.US_ASCII);
        b.put(at, bytes);
        return align(at + bytes.length);
    }

    private void putWord(ByteBuffer b, int at, long value) {
        if (is64) {
            b.putLong(at, value);
        } else {
            b.putInt(at, (int) value);
        }
    }

    private static int align(int value) {
        return (value + 7) & -8;
    }
}
