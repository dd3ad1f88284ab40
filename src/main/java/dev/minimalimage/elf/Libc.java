package dev.minimalimage.elf;

/** The C library a binary was linked against. */
public enum Libc {
    musl,
    glibc,
    /** No libc at all, e.g. Go with CGO_ENABLED=0. */
    none,
    /** Could not be told from the file. */
    unknown
}
