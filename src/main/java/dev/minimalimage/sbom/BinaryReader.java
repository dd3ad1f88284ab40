package dev.minimalimage.sbom;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.ElfSections;
import dev.minimalimage.elf.GoBuildInfo;
import dev.minimalimage.elf.LinkReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads what was linked into one ELF binary, from the binary itself and the optional {@link SbomInputs}. */
public final class BinaryReader {

    static final String PREFIX = "minimalimage:";

    private BinaryReader() {
    }

    public static BinaryInventory read(Path file, String pathInImage, SbomInputs inputs)
            throws IOException, ElfFormatException {
        ElfSections elf = ElfSections.read(file);
        LinkReport report = ElfLinkAnalyzer.analyze(file);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(PREFIX + "link:verdict", report.verdict().toString());
        properties.put(PREFIX + "link:machine", report.machine());
        properties.put(PREFIX + "link:libc", report.libc().toString());
        List<String> compilers = elf.comments();
        if (!compilers.isEmpty()) {
            properties.put(PREFIX + "compilers", String.join("; ", compilers));
        }
        List<LinkedComponent> components = new ArrayList<>();
        Optional<GoBuildInfo> go = GoBuildInfo.read(elf);
        if (go.isPresent()) {
            GoComponents.add(go.get(), components, properties);
        } else {
            RustComponents.add(elf, compilers, inputs, components, properties);
            NativeComponents.add(elf, report, compilers, inputs, components);
        }
        return new BinaryInventory(pathInImage, Hashing.sha256(file), components, properties);
    }
}
