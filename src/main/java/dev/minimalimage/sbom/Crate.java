package dev.minimalimage.sbom;

/**
 * One Rust package as Cargo.lock or cargo-auditable's .dep-v0 records it. {@code source} is Cargo's source id
 * ("registry+https://github.com/rust-lang/crates.io-index", "git+https://...#commit") or empty for a local path
 * package (the program itself, a workspace member); {@code checksum} is the registry's sha256, empty when unknown.
 */
public record Crate(String name, String version, String source, String checksum, String kind, boolean root) {

    static final String CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";

    public Crate {
        source = source == null ? "" : source;
        checksum = checksum == null ? "" : checksum;
        kind = kind == null ? "runtime" : kind;
    }

    public boolean local() {
        return source.isEmpty();
    }
}
