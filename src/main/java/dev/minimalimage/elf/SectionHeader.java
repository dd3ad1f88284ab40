package dev.minimalimage.elf;

/** One section header; offsets and sizes are raw file values (validated by the parser unless SHT_NOBITS). */
record SectionHeader(int index, String name, long type, long offset, long size, long link, long entsize) {

    static final long SHT_SYMTAB = 2;
    static final long SHT_STRTAB = 3;
    static final long SHT_DYNAMIC = 6;
    static final long SHT_NOTE = 7;
    static final long SHT_NOBITS = 8;
    static final long SHT_DYNSYM = 11;

    boolean occupiesFile() {
        return type != SHT_NOBITS && size != 0;
    }

    long end() {
        return offset + size; // validated against the file size when parsed
    }
}
