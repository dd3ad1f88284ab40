package dev.minimalimage.elf;

import java.nio.ByteOrder;

/** The fields of the ELF file header this package uses, already decoded for class and byte order. */
record ElfHeader(boolean is64, ByteOrder order, int type, int machine, long entry, long phoff, long shoff,
        int phentsize, int phnum, int shentsize, int shnum, int shstrndx) {

    static final int ET_REL = 1;
    static final int ET_EXEC = 2;
    static final int ET_DYN = 3;
    static final int ET_CORE = 4;

    int headerSize() {
        return is64 ? 64 : 52;
    }

    int programHeaderSize() {
        return is64 ? 56 : 32;
    }

    int sectionHeaderSize() {
        return is64 ? 64 : 40;
    }

    String className() {
        return is64 ? "ELF64" : "ELF32";
    }

    String byteOrderName() {
        return order == ByteOrder.BIG_ENDIAN ? "big" : "little";
    }
}
