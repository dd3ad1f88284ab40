package dev.minimalimage.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked, byte-order-aware reads over the whole file. Every offset comes from the (untrusted) file,
 * so every read validates it against the file size first and fails with a message naming what was read.
 */
final class ElfBytes {

    /** Longest string we ever read (PATH_MAX; also the kernel's limit for PT_INTERP). */
    static final int MAX_STRING = 4096;

    private final ByteBuffer buffer;
    private final long size;
    private boolean is64;

    ElfBytes(ByteBuffer content) {
        this.buffer = content.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.size = buffer.limit();
    }

    long size() {
        return size;
    }

    boolean is64() {
        return is64;
    }

    void configure(boolean elf64, ByteOrder order) {
        this.is64 = elf64;
        buffer.order(order);
    }

    /** Fails unless [offset, offset + length) lies inside the file; both come from the file and may be garbage. */
    void requireInFile(long offset, long length, String what) throws ElfFormatException {
        if (offset < 0 || length < 0) {
            throw new ElfFormatException("invalid ELF: " + what + " has offset " + Long.toUnsignedString(offset)
                    + " and size " + Long.toUnsignedString(length) + ", beyond any file (" + size + " bytes)");
        }
        long end = endOf(offset, length, what);
        if (end > size) {
            throw new ElfFormatException("truncated ELF: " + what + " (offset " + offset + ", " + length
                    + " bytes) ends past end of file (" + size + " bytes)");
        }
    }

    /** Same check for a table of {@code count} entries, reported as "count x entrySize bytes". */
    void requireTableInFile(long offset, long count, long entrySize, String what) throws ElfFormatException {
        long length = multiply(count, entrySize, what);
        if (offset < 0) {
            throw new ElfFormatException("invalid ELF: " + what + " has offset " + Long.toUnsignedString(offset)
                    + ", beyond any file (" + size + " bytes)");
        }
        if (endOf(offset, length, what) > size) {
            throw new ElfFormatException("truncated ELF: " + what + " (offset " + offset + ", " + count + " x "
                    + entrySize + " bytes) ends past end of file (" + size + " bytes)");
        }
    }

    static long endOf(long offset, long length, String what) throws ElfFormatException {
        try {
            return Math.addExact(offset, length);
        } catch (ArithmeticException e) {
            throw new ElfFormatException("invalid ELF: " + what + " offset " + offset + " + size " + length
                    + " overflows a 64-bit file position");
        }
    }

    static long multiply(long count, long entrySize, String what) throws ElfFormatException {
        try {
            return Math.multiplyExact(count, entrySize);
        } catch (ArithmeticException e) {
            throw new ElfFormatException("invalid ELF: " + what + " size " + count + " x " + entrySize
                    + " overflows a 64-bit length");
        }
    }

    int u8(long offset) throws ElfFormatException {
        return buffer.get(index(offset, 1)) & 0xff;
    }

    int u16(long offset) throws ElfFormatException {
        return buffer.getShort(index(offset, 2)) & 0xffff;
    }

    long u32(long offset) throws ElfFormatException {
        return buffer.getInt(index(offset, 4)) & 0xffffffffL;
    }

    /** Signed 32-bit value (ELF32 d_tag). */
    int s32(long offset) throws ElfFormatException {
        return buffer.getInt(index(offset, 4));
    }

    /** Raw 64-bit value; values above 2^63 come back negative and are rejected by the range checks. */
    long u64(long offset) throws ElfFormatException {
        return buffer.getLong(index(offset, 8));
    }

    /** An address or offset: 4 bytes in ELF32, 8 bytes in ELF64. */
    long word(long offset) throws ElfFormatException {
        return is64 ? u64(offset) : u32(offset);
    }

    /**
     * Reads a NUL-terminated string that must end before {@code limit} (exclusive) and within
     * {@link #MAX_STRING} bytes. Bytes are decoded as ISO-8859-1 so any content maps to a string.
     */
    String cString(long offset, long limit, String what) throws ElfFormatException {
        long end = Math.min(Math.min(limit, size), offset + MAX_STRING);
        if (offset < 0 || offset >= end) {
            throw new ElfFormatException("invalid ELF: " + what + " at offset " + Long.toUnsignedString(offset)
                    + " lies outside its table");
        }
        for (long pos = offset; pos < end; pos++) {
            if (buffer.get((int) pos) == 0) {
                return decode(offset, (int) (pos - offset));
            }
        }
        throw new ElfFormatException("invalid ELF: " + what + " at offset " + offset
                + " has no NUL terminator within " + (end - offset) + " bytes");
    }

    /** Like {@link #cString} but returns null instead of failing; for optional data such as symbol names. */
    String cStringOrNull(long offset, long limit, int maxLength) {
        long end = Math.min(Math.min(limit, size), offset + maxLength);
        for (long pos = offset; pos >= 0 && pos < end; pos++) {
            if (buffer.get((int) pos) == 0) {
                return decode(offset, (int) (pos - offset));
            }
        }
        return null;
    }

    boolean startsWith(long offset, byte[] expected) {
        if (offset < 0 || offset + expected.length > size) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (buffer.get((int) offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Copies up to {@code dest.length} bytes starting at {@code offset}; returns how many were copied. */
    int copy(long offset, byte[] dest, int length) {
        if (offset < 0 || offset >= size) {
            return 0;
        }
        int n = (int) Math.min(length, size - offset);
        buffer.get((int) offset, dest, 0, n);
        return n;
    }

    private String decode(long offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get((int) offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private int index(long offset, int width) throws ElfFormatException {
        if (offset < 0 || offset > size - width) {
            throw new ElfFormatException("truncated ELF: need " + width + " bytes at offset "
                    + Long.toUnsignedString(offset) + " but the file has " + size + " bytes");
        }
        return (int) offset;
    }
}
