package dev.minimalimage.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.minimalimage.testsupport.Compilers;

/**
 * Garbage in must give a report or an {@link ElfFormatException}: never another exception, a hang or a huge
 * allocation. Seeded mutations of real binaries aim at the structures the analyzer trusts least (header,
 * program headers, dynamic segment); crafted headers hit each bound on purpose.
 */
@Tag("e2e")
class ElfHostileInputTest {

    private static final int MUTATIONS_PER_BINARY = 1500;
    /**
     * Budgets catch hangs, not slowness: a loop takes ~1 s on an idle 2-core machine (a static glibc is
     * scanned in full each time), but CI hosts run other builds alongside.
     */
    private static final Duration LOOP_BUDGET = Duration.ofSeconds(30);
    private static final Duration CRAFTED_BUDGET = Duration.ofSeconds(5);
    private static final int E_PHOFF = 32;
    private static final int E_PHENTSIZE = 54;
    private static final int E_PHNUM = 56;

    @TempDir
    static Path dir;
    static final List<byte[]> BINARIES = new ArrayList<>();

    @BeforeAll
    static void buildVictims() throws Exception {
        String hello = ElfLinkAnalyzerTest.HELLO_C;
        Compilers.requireTool("gcc");
        Compilers.requireTool("musl-gcc");
        BINARIES.add(Files.readAllBytes(Compilers.muslGcc(dir, "musl-static", hello, "-static", "-Os", "-s")));
        BINARIES.add(Files.readAllBytes(Compilers.muslGcc(dir, "musl-dynamic", hello)));
        BINARIES.add(Files.readAllBytes(Compilers.gcc(dir, "glibc-static", hello, "-static", "-s")));
        BINARIES.add(Files.readAllBytes(Compilers.gcc(dir, "glibc-static-pie", hello, "-static-pie", "-s")));
        BINARIES.add(Files.readAllBytes(Compilers.gcc(dir, "glibc-dynamic", hello)));
    }

    @ParameterizedTest(name = "binary {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void seededMutationsGiveReportOrFormatException(int binary) {
        byte[] original = BINARIES.get(binary);
        List<int[]> targets = structureRanges(original);
        int reports = assertTimeoutPreemptively(LOOP_BUDGET, () -> {
            Random random = new Random(0x5eed + binary);
            int accepted = 0;
            for (int i = 0; i < MUTATIONS_PER_BINARY; i++) {
                byte[] mutated = original.clone();
                int length = mutate(mutated, targets, random);
                accepted += analyzeExpectingNoSurprise(ByteBuffer.wrap(mutated, 0, length), "binary " + binary
                        + " mutation " + i) ? 1 : 0;
            }
            return accepted;
        });
        // both outcomes must occur, or the mutations are not reaching past the first check
        assertThat(reports).isBetween(1, MUTATIONS_PER_BINARY - 1);
    }

    /** Big-endian and ELF32 paths: any byte of a small synthetic file may be hit. */
    @ParameterizedTest(name = "64-bit {0}")
    @ValueSource(booleans = {false, true})
    void seededMutationsOfBigEndianSyntheticFiles(boolean is64) {
        byte[] original = new SyntheticElf(is64, ByteOrder.BIG_ENDIAN, SyntheticElf.EM_S390)
                .interpreter("/lib/ld64.so.1").needed("libc.so.6").sectionHeaders().build();
        List<int[]> wholeFile = List.of(new int[] {0, original.length});
        assertTimeoutPreemptively(LOOP_BUDGET, () -> {
            Random random = new Random(is64 ? 64 : 32);
            for (int i = 0; i < MUTATIONS_PER_BINARY; i++) {
                byte[] mutated = original.clone();
                int length = mutate(mutated, wholeFile, random);
                analyzeExpectingNoSurprise(ByteBuffer.wrap(mutated, 0, length), "synthetic mutation " + i);
            }
        });
    }

    @Test
    void sixtyFiveThousandProgramHeadersPastEndOfFile() {
        byte[] elf = plainStatic();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(E_PHNUM, (short) 0xfffe);
        assertFormatError(elf, "program header table");
    }

    @Test
    void sixtyFiveThousandRealProgramHeadersAreWalkedQuickly() {
        int count = 65534;
        ByteBuffer b = ByteBuffer.allocate(64 + count * 56).order(ByteOrder.LITTLE_ENDIAN);
        b.put(plainStatic(), 0, 64).putShort(E_PHNUM, (short) count); // all PT_NULL entries
        LinkReport report = assertTimeoutPreemptively(CRAFTED_BUDGET, () -> ElfLinkAnalyzer.analyze(b.rewind()));
        assertThat(report.verdict()).isEqualTo(Verdict.NotRunnable);
        assertThat(report.explanation()).contains("no PT_LOAD");
    }

    @Test
    void phnumXnumWithoutSectionZero() {
        byte[] elf = plainStatic();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(E_PHNUM, (short) 0xffff);
        assertFormatError(elf, "PN_XNUM");
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, -1L, 0x7fff_ffff_0000L})
    void hugeProgramHeaderOffsets(long phoff) {
        byte[] elf = plainStatic();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(E_PHOFF, phoff);
        assertFormatError(elf, "program header table");
    }

    @Test
    void segmentOffsetPlusSizeOverflowsLong() {
        byte[] elf = plainStatic();
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(64 + 8, Long.MAX_VALUE - 10).putLong(64 + 32, 100);
        assertFormatError(elf, "overflows");
    }

    @Test
    void segmentSizeAboveTwoToTheSixtyThree() {
        byte[] elf = plainStatic();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 32, 0x8000_0000_0000_0000L);
        assertFormatError(elf, "segment 0 (PT_LOAD)");
    }

    @Test
    void zeroProgramHeaderEntrySize() {
        byte[] elf = plainStatic();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(E_PHENTSIZE, (short) 0);
        assertFormatError(elf, "e_phentsize 0");
    }

    @Test
    void dynamicSegmentPastEndOfFile() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).interpreter("/lib/ld-musl-x86_64.so.1").needed("libc.so");
        byte[] bytes = elf.build();
        int dynamicHeader = elf.layout().phoff() + 2 * 56;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(dynamicHeader + 8, bytes.length - 8L);
        assertFormatError(bytes, "segment 2 (PT_DYNAMIC)");
    }

    @Test
    void strtabPointingNowhere() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).needed("libc.so.6").strtabOutsideLoad();
        assertFormatError(elf.build(), "DT_STRTAB 0x7fff0000 is not inside any PT_LOAD");
    }

    @Test
    void neededNameWithoutTerminator() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).needed("libc.so.6");
        byte[] bytes = elf.build();
        patchDynamic(bytes, elf, SyntheticElf.DT_STRSZ, 5); // the table now ends inside "libc.so.6"
        assertFormatError(bytes, "no NUL terminator");
    }

    @Test
    void neededOffsetOutsideStringTable() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).needed("libc.so.6");
        byte[] bytes = elf.build();
        patchDynamic(bytes, elf, SyntheticElf.DT_NEEDED, 0xffff_ffffL);
        assertFormatError(bytes, "outside the dynamic string table");
    }

    @Test
    void interpreterWithoutTerminator() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).interpreter("/lib/ld.so");
        byte[] bytes = elf.build();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(elf.layout().phoff() + 56 + 32, 4);
        assertFormatError(bytes, "PT_INTERP path at offset " + elf.layout().interpOffset() + " has no NUL");
    }

    @Test
    void interpreterLongerThanPathMax() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).interpreter("/lib/ld.so");
        byte[] bytes = elf.build();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(elf.layout().phoff() + 56 + 32, 1L << 40);
        assertFormatError(bytes, "PT_INTERP");
    }

    @Test
    void dynamicSegmentWithoutNullTagIsBounded() {
        int entries = DynamicInfo.MAX_ENTRIES + 10;
        SyntheticElf elf = SyntheticElf.elf64Little(62).type(3).dynamicSection();
        byte[] base = elf.build();
        ByteBuffer b = ByteBuffer.allocate(base.length + entries * 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(base);
        int dynamic = base.length;
        for (int i = 0; i < entries; i++) {
            b.putLong(dynamic + i * 16, 0x6000_0000L).putLong(dynamic + i * 16 + 8, i); // unknown tags, no DT_NULL
        }
        int header = elf.layout().phoff();
        b.putLong(header + 32, b.capacity()).putLong(header + 40, b.capacity()); // PT_LOAD covers it all
        b.putLong(header + 56 + 8, dynamic).putLong(header + 56 + 32, entries * 16L);
        assertFormatError(b.array(), "no DT_NULL");
    }

    @Test
    void sectionHeaderCountFromSectionZeroAboveCap() {
        SyntheticElf elf = SyntheticElf.elf64Little(62).sectionHeaders();
        byte[] bytes = elf.build();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(60, (short) 0).putLong(elf.layout().shoff() + 32, 1_000_000L); // e_shnum 0: count in sh_size
        assertFormatError(bytes, "1000000 section headers");
    }

    /** 65535 symbol tables (type 2) or note sections (type 7) all covering the whole file stay bounded. */
    @ParameterizedTest
    @ValueSource(ints = {2, 7})
    void overlappingSectionsOverTheWholeFileAreBounded(int sectionType) {
        byte[] base = plainStatic();
        int count = 65535;
        ByteBuffer b = ByteBuffer.allocate(base.length + count * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(base).putLong(40, base.length).putShort(58, (short) 64).putShort(60, (short) count);
        for (int i = 1; i < count; i++) {
            int at = base.length + i * 64;
            b.putInt(at + 4, sectionType).putLong(at + 32, b.capacity()).putInt(at + 40, 1).putLong(at + 56, 24);
        }
        LinkReport report = assertTimeoutPreemptively(CRAFTED_BUDGET, () -> ElfLinkAnalyzer.analyze(b.rewind()));
        assertThat(report.verdict()).isEqualTo(Verdict.Static);
    }

    @Test
    void badIdentBytes() {
        byte[] elf = plainStatic();
        elf[4] = 7;
        assertFormatError(elf, "EI_CLASS is 7");
        elf = plainStatic();
        elf[5] = 0;
        assertFormatError(elf, "EI_DATA is 0");
    }

    private static byte[] plainStatic() {
        return SyntheticElf.elf64Little(62).build();
    }

    private static void assertFormatError(byte[] elf, String messagePart) {
        assertTimeoutPreemptively(CRAFTED_BUDGET, () -> assertThatThrownBy(
                () -> ElfLinkAnalyzer.analyze(ByteBuffer.wrap(elf)))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining(messagePart));
    }

    private static void patchDynamic(byte[] bytes, SyntheticElf elf, long tag, long value) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = elf.layout().dynamicOffset(); b.getLong(at) != 0; at += 16) {
            if (b.getLong(at) == tag) {
                b.putLong(at + 8, value);
                return;
            }
        }
        fail("no dynamic tag " + tag);
    }

    /** @return true for a report, false for an ElfFormatException; anything else fails the test */
    private static boolean analyzeExpectingNoSurprise(ByteBuffer content, String what) {
        try {
            LinkReport report = ElfLinkAnalyzer.analyze(content);
            assertThat(report.verdict()).as(what).isNotNull();
            assertThat(report.needed()).as(what).hasSizeLessThanOrEqualTo(DynamicInfo.MAX_NEEDED);
            return true;
        } catch (ElfFormatException expected) {
            assertThat(expected.getMessage()).as(what).isNotBlank();
            return false;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(what + " escaped with " + e, e);
        }
    }

    /**
     * Byte ranges worth hitting: ELF header, program header table, and the bytes of PT_INTERP and PT_DYNAMIC
     * (read from the unmutated little-endian ELF64 original).
     */
    private static List<int[]> structureRanges(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int phoff = (int) b.getLong(E_PHOFF);
        int phnum = b.getShort(E_PHNUM);
        List<int[]> ranges = new ArrayList<>(List.of(new int[] {0, 64}, new int[] {phoff, phoff + phnum * 56}));
        for (int i = 0; i < phnum; i++) {
            int at = phoff + i * 56;
            int type = b.getInt(at);
            if (type == 2 || type == 3) {
                int offset = (int) b.getLong(at + 8);
                ranges.add(new int[] {offset, offset + (int) b.getLong(at + 32)});
            }
        }
        return ranges;
    }

    /** Applies one seeded mutation in place; returns the length to analyze (shorter when truncating). */
    private static int mutate(byte[] bytes, List<int[]> targets, Random random) {
        int[] range = targets.get(random.nextInt(targets.size()));
        int at = range[0] + random.nextInt(Math.max(1, range[1] - range[0]));
        Consumer<ByteBuffer> change = switch (random.nextInt(5)) {
            case 0 -> b -> b.put(at, (byte) random.nextInt(256));
            case 1 -> b -> b.put(at, (byte) (b.get(at) ^ (1 << random.nextInt(8))));
            case 2 -> b -> putExtreme(b, at, random);
            case 3 -> b -> {
                for (int k = 0; k < 8; k++) {
                    b.put(Math.min(bytes.length - 1, at + random.nextInt(64)), (byte) random.nextInt(256));
                }
            };
            default -> b -> { };
        };
        change.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return random.nextInt(8) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
    }

    private static void putExtreme(ByteBuffer b, int at, Random random) {
        long[] extremes = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0xffff_ffffL, 0x7fff_ffffL, b.capacity(),
            b.capacity() - 1L, 1L << 40};
        long value = extremes[random.nextInt(extremes.length)];
        int aligned = Math.min(at & ~7, b.capacity() - 8);
        b.putLong(aligned, value);
    }
}
