package dev.minimalimage.elf;

/** One program header (segment); offsets and sizes are raw file values (validated by the parser). */
record ProgramHeader(int index, long type, long offset, long vaddr, long filesz) {

    static final long PT_LOAD = 1;
    static final long PT_DYNAMIC = 2;
    static final long PT_INTERP = 3;
    static final long PT_NOTE = 4;

    /** Maps a virtual address inside this segment's file-backed part to a file offset, or -1. */
    long fileOffsetOf(long address) {
        long delta = address - vaddr;
        boolean inside = Long.compareUnsigned(address, vaddr) >= 0 && Long.compareUnsigned(delta, filesz) < 0;
        return inside ? offset + delta : -1;
    }

    long fileEnd() {
        return offset + filesz; // validated against the file size when parsed
    }
}
