package dev.minimalimage.sbom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The installed packages of a Debian root's dpkg database ({@code ROOT/var/lib/dpkg/status}): where the static
 * libraries a toolchain links (libc6-dev, musl-dev, libstdc++-N-dev, libgcc-N-dev) get their versions from.
 */
public final class DpkgStatus {

    /** One installed package: Debian version ("2.36-9+deb12u14"), architecture and source package name. */
    public record Installed(String name, String version, String architecture, String source) {

        /** The upstream part of the Debian version: without epoch and without the Debian revision. */
        public String upstreamVersion() {
            String v = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
            return v.contains("-") ? v.substring(0, v.lastIndexOf('-')) : v;
        }
    }

    private final Path root;
    private final Map<String, Installed> packages;

    private DpkgStatus(Path root, Map<String, Installed> packages) {
        this.root = root;
        this.packages = packages;
    }

    /** Empty when the root has no dpkg database (an image that installed its toolchain another way). */
    public static Optional<DpkgStatus> of(Path root) throws IOException {
        Path status = root.resolve("var/lib/dpkg/status");
        try {
            return Optional.of(new DpkgStatus(root, parse(Files.readString(status, StandardCharsets.UTF_8))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public Path root() {
        return root;
    }

    /**
     * The package installed for the given Debian architecture ("amd64", "arm64"; multiarch roots can hold both),
     * else an "all" or single-architecture entry of that name.
     */
    public Optional<Installed> installed(String name, String debianArchitecture) {
        Installed exact = packages.get(name + ":" + debianArchitecture);
        return Optional.ofNullable(exact != null ? exact : packages.get(name));
    }

    static Map<String, Installed> parse(String status) {
        Map<String, Installed> result = new HashMap<>();
        for (String stanza : status.split("\n\n")) {
            Map<String, String> fields = new HashMap<>();
            for (String line : stanza.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
            String name = fields.get("Package");
            if (name != null && fields.getOrDefault("Status", "").endsWith(" installed")) {
                String source = fields.getOrDefault("Source", name);
                // "Source: gcc-12 (12.2.0-14)" names the source version when it differs from the binary's
                source = source.contains(" ") ? source.substring(0, source.indexOf(' ')) : source;
                Installed installed = new Installed(name, fields.getOrDefault("Version", ""),
                        fields.getOrDefault("Architecture", ""), source);
                result.put(name + ":" + installed.architecture(), installed);
                result.putIfAbsent(name, installed);
            }
        }
        return Map.copyOf(result);
    }
}
