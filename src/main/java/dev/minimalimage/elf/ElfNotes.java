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
    /** For all containers together: hostile files may declare thousands of note sections over one range. */
    private static final int MAX_NOTES = 4096;
    private static final int MAX_OWNER = 64;

    private ElfNotes() {
    }

    /** Keys look like "GNU/1" (owner/type). */
    static Set<String> keys(ElfImage image) {
        Set<String> keys = new LinkedHashSet<>();
        int budget = MAX_NOTES;
        for (long[] range : containers(image)) {
            budget -= walk(image.bytes, range[0], range[1], keys, budget);
            if (budget <= 0) {
                break;
            }
        }
        return keys;
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
    private static int walk(ElfBytes bytes, long offset, long end, Set<String> keys, int budget) {
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
                    keys.add(key(owner, type));
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
