package dev.minimalimage.elf;

import java.util.Set;
import java.util.TreeSet;

/**
 * Looks up defined symbols in .symtab / .dynsym (present unless the binary was stripped). Only names from a
 * small set are wanted, so names longer than the longest wanted one are skipped without building strings.
 */
final class SymbolNames {

    /**
     * Bounds the walk over all tables together (a hostile file can declare thousands of symbol tables over
     * the same bytes); big unstripped programs have around a million symbols.
     */
    static final long MAX_SYMBOLS = 4_000_000;
    private static final int SHN_UNDEF = 0;

    private SymbolNames() {
    }

    /** The subset of {@code wanted} that is defined in any symbol table of the file. */
    static Set<String> defined(ElfImage image, Set<String> wanted) throws ElfFormatException {
        return find(image, wanted, false);
    }

    /**
     * The subset of {@code wanted} that the file imports: undefined in its dynamic symbol table (.dynsym), so
     * bound to a shared library at load time.
     */
    static Set<String> imported(ElfImage image, Set<String> wanted) throws ElfFormatException {
        return find(image, wanted, true);
    }

    private static Set<String> find(ElfImage image, Set<String> wanted, boolean undefinedDynamic)
            throws ElfFormatException {
        int maxLength = wanted.stream().mapToInt(String::length).max().orElse(0) + 1;
        Set<String> found = new TreeSet<>();
        long budget = MAX_SYMBOLS;
        for (SectionHeader table : image.sections) {
            boolean eligible = undefinedDynamic ? table.type() == SectionHeader.SHT_DYNSYM && table.occupiesFile()
                    : isSymbolTable(table);
            if (eligible && budget > 0) {
                budget -= collect(image, table, wanted, maxLength, found, budget, undefinedDynamic);
            }
        }
        return found;
    }

    private static boolean isSymbolTable(SectionHeader s) {
        return (s.type() == SectionHeader.SHT_SYMTAB || s.type() == SectionHeader.SHT_DYNSYM) && s.occupiesFile();
    }

    /** @return how many symbols were looked at */
    private static long collect(ElfImage image, SectionHeader table, Set<String> wanted, int maxLength,
            Set<String> found, long budget, boolean undefined) throws ElfFormatException {
        ElfBytes bytes = image.bytes;
        int entrySize = bytes.is64() ? 24 : 16;
        if (table.entsize() != 0 && table.entsize() != entrySize) {
            throw new ElfFormatException("invalid ELF: symbol table " + table.name() + " has sh_entsize "
                    + table.entsize() + ", expected " + entrySize);
        }
        SectionHeader strings = image.sectionAt(table.link()).filter(SectionHeader::occupiesFile).orElse(null);
        if (strings == null) {
            return 0; // names unreadable: nothing to learn from this table
        }
        long count = Math.min(table.size() / entrySize, budget);
        for (long i = 0; i < count; i++) {
            long at = table.offset() + i * entrySize;
            long nameOffset = bytes.u32(at);
            int sectionIndex = bytes.u16(at + (bytes.is64() ? 6 : 14));
            if ((sectionIndex == SHN_UNDEF) == undefined && nameOffset != 0 && nameOffset < strings.size()) {
                String name = bytes.cStringOrNull(strings.offset() + nameOffset, strings.end(), maxLength);
                if (name != null && wanted.contains(name)) {
                    found.add(name);
                }
            }
        }
        return count;
    }
}
