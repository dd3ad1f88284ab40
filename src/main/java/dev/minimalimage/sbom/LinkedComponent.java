package dev.minimalimage.sbom;

import java.util.Map;

/**
 * Something linked into a binary: a Go module, a Rust crate, the C library, libstdc++/libgcc. {@code version} is
 * null when it cannot be known (then {@code properties} says why), {@code purl} null when no purl type fits;
 * {@code evidence} names where the fact was read ("go.buildinfo", ".dep-v0", "Cargo.lock", "dpkg", ".comment").
 */
public record LinkedComponent(String name, String version, String purl, String evidence,
        Map<String, String> properties) {

    public LinkedComponent {
        properties = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(properties)); // a stable order
    }
}
