package dev.minimalimage.sbom;

import dev.minimalimage.elf.DepV0Section;
import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfSections;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rust crates: cargo-auditable's .dep-v0 when the binary has it (exactly what was compiled in), else the
 * source's Cargo.lock for a binary rustc produced (everything resolvable, which may list more than was linked).
 */
final class RustComponents {

    private RustComponents() {
    }

    static void add(ElfSections elf, List<String> compilers, SbomInputs inputs, List<LinkedComponent> components,
            Map<String, String> properties) throws ElfFormatException, IOException {
        Optional<List<DepV0Section.Package>> audit = DepV0Section.read(elf);
        if (audit.isPresent()) {
            for (DepV0Section.Package p : audit.get()) {
                if (p.root()) {
                    properties.put(BinaryReader.PREFIX + "cargo:root", p.name() + "@" + p.version());
                } else {
                    components.add(crate(p.name(), p.version(), p.source(), "", p.kind(), DepV0Section.SECTION));
                }
            }
            return;
        }
        boolean builtByRustc = compilers.stream().anyMatch(c -> c.startsWith("rustc version"));
        if (builtByRustc && inputs.cargoLock().isPresent()) {
            for (Crate c : CargoLock.read(inputs.cargoLock().get())) {
                if (c.local()) {
                    properties.put(BinaryReader.PREFIX + "cargo:local", c.name() + "@" + c.version());
                } else {
                    components.add(crate(c.name(), c.version(), c.source(), c.checksum(), c.kind(), "Cargo.lock"));
                }
            }
        }
    }

    private static LinkedComponent crate(String name, String version, String source, String checksum, String kind,
            String evidence) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(BinaryReader.PREFIX + "cargo:source", source);
        if (!"runtime".equals(kind)) {
            properties.put(BinaryReader.PREFIX + "cargo:kind", kind);
        }
        if (!checksum.isEmpty()) {
            properties.put(BinaryReader.PREFIX + "cargo:checksum", checksum);
        }
        boolean local = source.isEmpty() || "local".equals(source);
        return new LinkedComponent(name, version, local ? null : Purls.cargo(name, version), evidence, properties);
    }
}
