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
        properties = Map.copyOf(properties);
    }
}
