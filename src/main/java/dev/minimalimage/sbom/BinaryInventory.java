package dev.minimalimage.sbom;

import java.util.List;
import java.util.Map;

/**
 * One shipped ELF file and what was linked into it. {@code properties} carries facts of the binary itself (Go
 * version and build settings, the compilers named in .comment, the link verdict).
 */
public record BinaryInventory(String pathInImage, String sha256, List<LinkedComponent> components,
        Map<String, String> properties) {

    public BinaryInventory {
        components = List.copyOf(components);
        // sorted, not Map.copyOf: its iteration order changes from one JVM to the next, and so would the SBOM's bytes
        properties = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(properties));
    }
}
