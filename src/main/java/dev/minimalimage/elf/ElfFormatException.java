package dev.minimalimage.elf;

/** The file starts like an ELF file but its structure is broken, truncated or hostile. */
public final class ElfFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }
}
