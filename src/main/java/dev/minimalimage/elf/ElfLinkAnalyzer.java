package dev.minimalimage.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Decides from the ELF structures alone (the file is never executed) whether a binary can run on an empty
 * root file system, which libc it uses, and which runtime file-system dependencies hide in a static glibc.
 */
public final class ElfLinkAnalyzer {

    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    private ElfLinkAnalyzer() {
    }

    /**
     * @throws IOException         only when the file cannot be read (missing, unreadable, not a regular file)
     * @throws ElfFormatException  when the file starts like ELF but is truncated, malformed or too large
     */
    public static LinkReport analyze(Path file) throws IOException, ElfFormatException {
        return read(file, ElfLinkAnalyzer::analyze, ElfLinkAnalyzer::analyzeHuge);
    }

    /**
     * The loader's view of {@code file} (interpreter, DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, class, machine);
     * null when the file is not ELF. Never executes anything.
     */
    public static DynamicLinkage linkage(Path file) throws IOException, ElfFormatException {
        return readNamingTheFile(file, ElfLinkAnalyzer::linkage);
    }

    /** The parsed file, or null when it does not start with the ELF magic. */
    private static ElfImage parseElf(ByteBuffer content) throws ElfFormatException {
        ElfBytes bytes = new ElfBytes(content);
        return bytes.startsWith(0, ELF_MAGIC) ? ElfImage.parse(bytes) : null;
    }

    static DynamicLinkage linkage(ByteBuffer content) throws ElfFormatException {
        ElfImage image = parseElf(content);
        if (image == null) {
            return null;
        }
        DynamicInfo dynamic = DynamicInfo.read(image);
        ElfHeader h = image.header;
        return new DynamicLinkage(h.is64(), h.order() == java.nio.ByteOrder.LITTLE_ENDIAN, h.machine(),
                LinkClassifier.machineName(h.machine()), interpreter(image), dynamic.needed(), dynamic.soname(),
                dynamic.rpath(), dynamic.runpath());
    }

    /** Dlopen notes, imported NSS functions and defined symbol versions of {@code file}; null when not ELF. */
    public static BundleHints bundleHints(Path file) throws IOException, ElfFormatException {
        return readNamingTheFile(file, ElfLinkAnalyzer::bundleHints);
    }

    static BundleHints bundleHints(ByteBuffer content) throws ElfFormatException {
        ElfImage image = parseElf(content);
        return image == null ? null : new BundleHints(ElfNotes.descriptors(image, ElfNotes.FDO_OWNER, ElfNotes.NT_FDO_DLOPEN_METADATA),
                SymbolNames.imported(image, HazardDetector.NSS_FUNCTIONS), VersionDefinitions.names(image));
    }

    private static <T> T tooLarge(FileChannel channel, long size) throws ElfFormatException {
        throw new ElfFormatException("ELF file is " + size + " bytes; files over 2 GiB are not supported");
    }

    private interface Reader<T> {
        T read(ByteBuffer content) throws ElfFormatException;
    }

    private interface HugeReader<T> {
        T read(FileChannel channel, long size) throws IOException, ElfFormatException;
    }

    /**
     * For readers used on every object of a closure: the caller knows only the program, so a broken library
     * must name itself in the message.
     */
    private static <T> T readNamingTheFile(Path file, Reader<T> reader) throws IOException, ElfFormatException {
        try {
            return read(file, reader, ElfLinkAnalyzer::tooLarge);
        } catch (ElfFormatException e) {
            throw new ElfFormatException(file + ": " + e.getMessage());
        }
    }

    private static <T> T read(Path file, Reader<T> reader, HugeReader<T> huge) throws IOException, ElfFormatException {
        if (!Files.isRegularFile(file)) { // checked before opening: opening a FIFO would block
            throw Files.exists(file) ? new IOException(file + " is not a regular file")
                    : new NoSuchFileException(file.toString());
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                return huge.read(channel, size);
            }
            // Mapping keeps even large binaries off the heap; every access is bounds-checked by ElfBytes.
            return reader.read(size == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        } catch (InternalError e) {
            // what a mapped read turns into when the file shrinks underneath us (SIGBUS)
            throw new IOException(file + " changed while it was being read", e);
        }
    }

    /** Entry point over bytes already in memory (also used by the tests to fuzz without touching disk). */
    static LinkReport analyze(ByteBuffer content) throws ElfFormatException {
        ElfBytes bytes = new ElfBytes(content);
        if (!bytes.startsWith(0, ELF_MAGIC)) {
            return notElf(bytes);
        }
        ElfImage image = ElfImage.parse(bytes);
        String interpreter = interpreter(image);
        DynamicInfo dynamic = DynamicInfo.read(image);
        LinkClassifier.Classification c = LinkClassifier.classify(image, interpreter, dynamic);
        if (c.verdict() == Verdict.Static || c.verdict() == Verdict.StaticPie) {
            return staticReport(image, c, dynamic);
        }
        LibcDetector.Result libc = LibcDetector.fromLinkage(interpreter, dynamic.needed());
        return report(image, c.verdict(), interpreter, dynamic.needed(), libc.libc(), List.of(), c.explanation());
    }

    private static LinkReport analyzeHuge(FileChannel channel, long size) throws IOException, ElfFormatException {
        ByteBuffer head = ByteBuffer.allocate(512);
        channel.read(head, 0);
        head.flip();
        ElfBytes bytes = new ElfBytes(head);
        if (!bytes.startsWith(0, ELF_MAGIC)) {
            return new LinkReport(Verdict.NotElf, null, null, null, null, null, List.of(), Libc.unknown, List.of(),
                    NotElfDescriber.describe(bytes), size);
        }
        throw new ElfFormatException("ELF file is " + size + " bytes; files over 2 GiB are not supported");
    }

    private static LinkReport staticReport(ElfImage image, LinkClassifier.Classification c, DynamicInfo dynamic)
            throws ElfFormatException {
        StaticEvidence evidence = StaticEvidence.gather(image, HazardDetector.SYMBOLS);
        LibcDetector.Result libc = LibcDetector.fromStatic(evidence);
        List<Hazard> hazards = libc.libc() == Libc.glibc ? HazardDetector.detect(evidence) : List.of();
        String explanation = c.explanation() + " (libc " + libc.libc()
                + (libc.evidence() == null ? "" : ": " + libc.evidence()) + ")";
        return report(image, c.verdict(), null, dynamic.needed(), libc.libc(), hazards, explanation);
    }

    /** The loader path; the kernel insists on a NUL-terminated path of at most PATH_MAX bytes. */
    private static String interpreter(ElfImage image) throws ElfFormatException {
        Optional<ProgramHeader> interp = image.firstSegment(ProgramHeader.PT_INTERP);
        if (interp.isEmpty()) {
            return null;
        }
        ProgramHeader segment = interp.get();
        if (segment.filesz() == 0 || segment.filesz() > ElfBytes.MAX_STRING) {
            throw new ElfFormatException("invalid ELF: PT_INTERP size " + segment.filesz()
                    + " is not between 1 and " + ElfBytes.MAX_STRING + " bytes");
        }
        return image.bytes.cString(segment.offset(), segment.fileEnd(), "PT_INTERP path");
    }

    private static LinkReport report(ElfImage image, Verdict verdict, String interpreter, List<String> needed,
            Libc libc, List<Hazard> hazards, String explanation) {
        ElfHeader h = image.header;
        return new LinkReport(verdict, h.className(), h.byteOrderName(), LinkClassifier.machineName(h.machine()),
                LinkClassifier.typeName(h.type()), interpreter, needed, libc, hazards, explanation,
                image.bytes.size());
    }

    private static LinkReport notElf(ElfBytes bytes) {
        return new LinkReport(Verdict.NotElf, null, null, null, null, null, List.of(), Libc.unknown, List.of(),
                NotElfDescriber.describe(bytes), bytes.size());
    }
}
