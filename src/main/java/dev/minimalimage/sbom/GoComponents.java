package dev.minimalimage.sbom;

import dev.minimalimage.elf.GoBuildInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Go modules (and the standard library, as syft and ko list it) from .go.buildinfo. */
final class GoComponents {

    static final String EVIDENCE = "go.buildinfo";

    private GoComponents() {
    }

    static void add(GoBuildInfo info, List<LinkedComponent> components, Map<String, String> properties) {
        properties.put(BinaryReader.PREFIX + "go:version", info.goVersion());
        properties.put(BinaryReader.PREFIX + "go:package", info.mainPackage());
        if (info.mainModule() != null) {
            properties.put(BinaryReader.PREFIX + "go:module", info.mainModule().path() + "@"
                    + info.mainModule().version());
        }
        info.settings().forEach((key, value) -> properties.put(BinaryReader.PREFIX + "go:build:" + key, value));
        components.add(new LinkedComponent("stdlib", info.goVersion(), Purls.golang("stdlib", info.goVersion()),
                EVIDENCE, Map.of()));
        for (GoBuildInfo.Module dep : info.dependencies()) {
            components.add(module(dep));
        }
    }

    /** The module actually compiled in (a replacement when there is one), naming what it replaced. */
    private static LinkedComponent module(GoBuildInfo.Module dep) {
        GoBuildInfo.Module used = dep.effective();
        Map<String, String> properties = new LinkedHashMap<>();
        if (!used.sum().isEmpty()) {
            properties.put(BinaryReader.PREFIX + "go:sum", used.sum());
        }
        if (dep.replacement() != null) {
            properties.put(BinaryReader.PREFIX + "go:replaces", dep.path() + "@" + dep.version());
        }
        String version = used.version().isEmpty() ? null : used.version();
        return new LinkedComponent(used.path(), version, version == null ? null : Purls.golang(used.path(), version),
                EVIDENCE, properties);
    }
}
