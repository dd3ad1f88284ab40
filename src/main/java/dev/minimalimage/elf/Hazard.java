package dev.minimalimage.elf;

import java.util.List;

/**
 * Something a statically linked glibc binary loads from the file system at runtime although it looks
 * self-contained.
 *
 * @param kind     "nss", "dlopen" or "iconv"
 * @param evidence what in the file gave it away (symbol or string names)
 * @param message  one sentence for the user
 */
public record Hazard(String kind, List<String> evidence, String message) {

    public Hazard {
        evidence = List.copyOf(evidence);
    }
}
