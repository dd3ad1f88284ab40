package dev.minimalimage.elf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Lists the notes (owner + type) in PT_NOTE segments and SHT_NOTE sections. Notes are only evidence, so a
 * malformed note ends the walk of its container instead of failing the analysis.
 */
final class ElfNotes {

    static final long NT_GNU_ABI_TAG = 1;
    static final long NT_GO_BUILDID = 4;
    /** systemd's FDO dlopen metadata (.note.dlopen): a NUL-terminated JSON array, https://systemd.io/ELF_DLOPEN_METADATA/ */
    static final String FDO_OWNER = "FDO";
    static final long NT_FDO_DLOPEN_METADATA = 0x407c0c0aL;
    /** Cap per descriptor: dlopen metadata is a few hundred bytes. */
    private static final int MAX_DESCRIPTOR = 65536;
    /** For all containers together: hostile files may declare thousands of note sections over one range. */
    private static final int MAX_NOTES = 4096;
    private static final int MAX_OWNER = 64;

    private ElfNotes() {
    }

    /** Sees each note: its owner, type and the file range of its descriptor. */
    private interface Visitor {
        void note(String owner, long type, long descOffset, long descSize);
    }

    /** Keys look like "GNU/1" (owner/type). */
    static Set<String> keys(ElfImage image) {
        Set<String> keys = new LinkedHashSet<>();
        visit(image, (owner, type, descOffset, descSize) -> keys.add(key(owner, type)));
        return keys;
    }

    /**
     * The descriptors of the notes with this owner and type, as text up to the first NUL (ISO-8859-1, so any bytes
     * map to a string; UTF-8 names survive as their bytes); the same note seen in a segment and a section once.
     */
    static List<String> descriptors(ElfImage image, String wantedOwner, long wantedType) {
        Set<String> found = new LinkedHashSet<>();
        visit(image, (owner, type, descOffset, descSize) -> {
            if (owner.equals(wantedOwner) && type == wantedType && descSize > 0) {
                byte[] desc = new byte[(int) Math.min(descSize, MAX_DESCRIPTOR)];
                int n = image.bytes.copy(descOffset, desc, desc.length);
                int end = 0;
                while (end < n && desc[end] != 0) {
                    end++;
                }
                found.add(new String(desc, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        });
        return List.copyOf(found);
    }

    private static void visit(ElfImage image, Visitor visitor) {
        int budget = MAX_NOTES;
        for (long[] range : containers(image)) {
            budget -= walk(image.bytes, range[0], range[1], visitor, budget);
            if (budget <= 0) {
                break;
            }
        }
    }

    static String key(String owner, long type) {
        return owner + "/" + type;
    }

    /** Returns {offset, end} of each note container. */
    private static List<long[]> containers(ElfImage image) {
        List<long[]> ranges = new ArrayList<>();
        for (ProgramHeader s : image.segments) {
            if (s.type() == ProgramHeader.PT_NOTE && s.filesz() > 0) {
                ranges.add(new long[] {s.offset(), s.fileEnd()});
            }
        }
        for (SectionHeader s : image.sections) {
            if (s.type() == SectionHeader.SHT_NOTE && s.occupiesFile()) {
                ranges.add(new long[] {s.offset(), s.end()});
            }
        }
        return ranges;
    }

    /**
     * Name and descriptor are padded to 4 bytes. 8-aligned PT_NOTE segments (.note.gnu.property) pad to 8,
     * but with the 4-byte "GNU" owner both paddings give the same layout, so 4 is used throughout.
     */
    private static int walk(ElfBytes bytes, long offset, long end, Visitor visitor, int budget) {
        long pos = offset;
        int n = 0;
        try {
            for (; n < budget && pos + 12 <= end; n++) {
                long nameSize = bytes.u32(pos);
                long descSize = bytes.u32(pos + 4);
                long type = bytes.u32(pos + 8);
                long name = pos + 12;
                long desc = name + roundUp(nameSize);
                long next = desc + roundUp(descSize);
                if (next > end || nameSize == 0 || nameSize > MAX_OWNER) {
                    return n + 1;
                }
                String owner = bytes.cStringOrNull(name, name + nameSize, MAX_OWNER);
                if (owner != null) {
                    visitor.note(owner, type, desc, descSize);
                }
                pos = next;
            }
        } catch (ElfFormatException e) {
            // the container was validated to be inside the file, so this only means a garbled note
        }
        return n + 1; // at least one unit per container, so empty containers also use up the budget
    }

    private static long roundUp(long value) {
        return (value + 3) & -4L;
    }
}
