package dev.minimalimage.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whole-file access to named sections and to the .comment strings, for the SBOM readers. The file is read into
 * memory once; binaries bigger than {@link #MAX_FILE} are refused rather than read half-way.
 */
public final class ElfSections {

    /** 512 MiB: far above any static binary we ship, below what a byte[] can hold. */
    static final long MAX_FILE = 512L << 20;

    private final byte[] content;
    private final ElfImage image;

    private ElfSections(byte[] content, ElfImage image) {
        this.content = content;
        this.image = image;
    }

    public static ElfSections read(Path file) throws IOException, ElfFormatException {
        long size = Files.size(file);
        if (size > MAX_FILE) {
            throw new ElfFormatException(file + " is " + size + " bytes, more than the " + MAX_FILE
                    + " bytes the SBOM reader reads");
        }
        byte[] content = Files.readAllBytes(file);
        if (content.length < 4 || content[0] != 0x7f || content[1] != 'E' || content[2] != 'L' || content[3] != 'F') {
            throw new ElfFormatException(file + " is not an ELF file (no \\x7fELF magic)");
        }
        return new ElfSections(content, ElfImage.parse(new ElfBytes(ByteBuffer.wrap(content))));
    }

    /** The whole file, for readers that must search it (Go's buildinfo when section headers are gone). */
    public byte[] content() {
        return content;
    }

    public boolean bigEndian() {
        return image.header.order() == java.nio.ByteOrder.BIG_ENDIAN;
    }

    /** The bytes of a section that occupies the file, if the file has one of that name. */
    public Optional<byte[]> section(String name) {
        return image.section(name).filter(SectionHeader::occupiesFile)
                .map(s -> java.util.Arrays.copyOfRange(content, (int) s.offset(), (int) s.end()));
    }

    /** The NUL-separated strings of .comment: the compilers that produced the objects ("GCC: (Debian ...) 12.2.0"). */
    public List<String> comments() {
        List<String> result = new ArrayList<>();
        section(".comment").ifPresent(bytes -> {
            int start = 0;
            for (int i = 0; i <= bytes.length; i++) {
                if (i == bytes.length || bytes[i] == 0) {
                    if (i > start) {
                        String comment = new String(bytes, start, i - start, java.nio.charset.StandardCharsets.UTF_8);
                        if (!result.contains(comment)) {
                            result.add(comment);
                        }
                    }
                    start = i + 1;
                }
            }
        });
        return List.copyOf(result);
    }
}
