package dev.minimalimage.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The smallest static x86-64 Linux program: one loadable segment whose code is exit(0). What the packer packs to warm
 * up (see {@link CompileHandover#warmUpMeanwhile}): a real ELF file for the same code path, at 132 bytes.
 */
final class TinyProgram {

    private static final long BASE = 0x400000L;
    private static final int HEADER = 64;
    private static final int PROGRAM_HEADER = 56;
    /** mov eax, 60 (exit); xor edi, edi; syscall */
    private static final byte[] CODE = { (byte) 0xb8, 0x3c, 0, 0, 0, 0x31, (byte) 0xff, 0x0f, 0x05 };

    static final byte[] ELF = build();

    private TinyProgram() {
    }

    private static byte[] build() {
        int size = HEADER + PROGRAM_HEADER + CODE.length;
        ByteBuffer elf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 }).put(new byte[8]); // 64-bit, little-endian, SysV
        elf.putShort((short) 2).putShort((short) 0x3e).putInt(1); // ET_EXEC, EM_X86_64, version
        elf.putLong(BASE + HEADER + PROGRAM_HEADER).putLong(HEADER).putLong(0); // entry, phoff, shoff
        elf.putInt(0).putShort((short) HEADER).putShort((short) PROGRAM_HEADER).putShort((short) 1); // 1 header
        elf.putShort((short) 64).putShort((short) 0).putShort((short) 0); // no sections
        elf.putInt(1).putInt(5); // PT_LOAD, R+X
        elf.putLong(0).putLong(BASE).putLong(BASE).putLong(size).putLong(size).putLong(0x1000);
        elf.put(CODE);
        return elf.array();
    }
}
