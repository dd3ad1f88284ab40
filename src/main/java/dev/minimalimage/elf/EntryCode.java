package dev.minimalimage.elf;

import java.nio.ByteOrder;

/**
 * Recognises musl's program entry code, which survives stripping and --gc-sections: a musl-gcc -static -Os -s
 * hello has no telling strings at all, but its _start (musl arch/&lt;arch&gt;/crt_arch.h) is unmistakable.
 */
final class EntryCode {

    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;
    private static final int WILDCARD = -1;

    /**
     * x86-64, verified with objdump on musl 1.2.3 binaries (static, static-pie, stripped or not):
     * xor %rbp,%rbp; mov %rsp,%rdi; lea _DYNAMIC(%rip),%rsi; and $-16,%rsp; call _start_c.
     * glibc's _start instead begins xor %ebp,%ebp; mov %rdx,%r9; pop %rsi.
     */
    private static final int[] MUSL_X86_64 = {0x48, 0x31, 0xed, 0x48, 0x89, 0xe7, 0x48, 0x8d, 0x35, WILDCARD,
        WILDCARD, WILDCARD, WILDCARD, 0x48, 0x83, 0xe4, 0xf0, 0xe8};

    /**
     * AArch64, encoded from musl's crt_arch.h (no aarch64 toolchain here to verify): mov x29,#0; mov x30,#0;
     * mov x0,sp. glibc's _start has mov x5,x0 as its third instruction.
     */
    private static final int[] MUSL_AARCH64 = {0x1d, 0x00, 0x80, 0xd2, 0x1e, 0x00, 0x80, 0xd2, 0xe0, 0x03, 0x00,
        0x91};

    private EntryCode() {
    }

    static boolean isMuslStart(ElfImage image) {
        int[] pattern = switch (image.header.machine()) {
            case EM_X86_64 -> MUSL_X86_64;
            case EM_AARCH64 -> image.header.order() == ByteOrder.LITTLE_ENDIAN ? MUSL_AARCH64 : null;
            default -> null;
        };
        long offset = entryFileOffset(image);
        return pattern != null && offset >= 0 && matches(image.bytes, offset, pattern);
    }

    private static long entryFileOffset(ElfImage image) {
        for (ProgramHeader load : image.loadSegments()) {
            long offset = load.fileOffsetOf(image.header.entry());
            if (offset >= 0) {
                return offset;
            }
        }
        return -1;
    }

    private static boolean matches(ElfBytes bytes, long offset, int[] pattern) {
        byte[] code = new byte[pattern.length];
        if (offset > bytes.size() - pattern.length || bytes.copy(offset, code, code.length) != code.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i] != WILDCARD && (code[i] & 0xff) != pattern[i]) {
                return false;
            }
        }
        return true;
    }
}
