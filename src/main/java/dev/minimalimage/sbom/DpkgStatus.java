package dev.minimalimage.sbom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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

        /** As a linked component: named by the package, versioned upstream, purl'd with the Debian version. */
        public LinkedComponent asComponent() {
            return asComponent(name);
        }

        LinkedComponent asComponent(String componentName) {
            return new LinkedComponent(componentName, upstreamVersion(), Purls.deb(name, version, architecture),
                    "dpkg", Map.of("minimalimage:debian:package", name + " " + version + " " + architecture,
                            "minimalimage:debian:source", source));
        }
    }

    private final Path root;
    private final Map<String, Installed> packages;
    /** File path to owning "package:arch" (or "package"), read from info/*.list on first use. */
    private Map<String, String> owners;

    private DpkgStatus(Path root, Map<String, Installed> packages) {
        this.root = root;
        this.packages = packages;
    }

    /** Far above a toolchain image's database (a few MB); a larger file is no database to read. */
    static final long MAX_STATUS_BYTES = 64L * 1024 * 1024;

    /**
     * Empty when the root has no dpkg database (an image that installed its toolchain another way). The file is read
     * only when it is a regular file, no link followed, of a sane size: in the builder pod the step that ran the
     * project's build wrote it, and the step reading it holds the push credentials.
     */
    public static Optional<DpkgStatus> of(Path root) throws IOException {
        Path status = root.resolve("var/lib/dpkg/status");
        java.nio.file.attribute.BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(status, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!attributes.isRegularFile() || attributes.size() > MAX_STATUS_BYTES) {
            throw new IOException(status + ": not a regular file of at most " + MAX_STATUS_BYTES + " bytes");
        }
        try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(status,
                java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) attributes.size());
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read until full or the end (the file may have shrunk since)
            }
            return Optional.of(new DpkgStatus(root, parse(new String(bytes.array(), 0, bytes.position(),
                    StandardCharsets.UTF_8))));
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

    /**
     * The installed package that shipped {@code pathInRoot} (absolute, as inside the root), like `dpkg -S`. Debian's
     * merged /usr means a file dpkg lists as /lib/x is found at /usr/lib/x too, so both spellings are tried.
     */
    public Optional<Installed> owner(String pathInRoot) throws IOException {
        if (owners == null) {
            owners = readOwners(root.resolve("var/lib/dpkg/info"));
        }
        List<String> spellings = pathInRoot.startsWith("/usr/") ? List.of(pathInRoot, pathInRoot.substring(4))
                : List.of(pathInRoot, "/usr" + pathInRoot);
        for (String spelling : spellings) {
            String owner = owners.get(spelling);
            if (owner != null) {
                int colon = owner.indexOf(':');
                return colon < 0 ? installed(owner, "")
                        : installed(owner.substring(0, colon), owner.substring(colon + 1));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> readOwners(Path info) throws IOException {
        Map<String, String> result = new HashMap<>();
        if (!Files.isDirectory(info)) {
            return result;
        }
        try (DirectoryStream<Path> lists = Files.newDirectoryStream(info, "*.list")) {
            for (Path list : lists) {
                String name = list.getFileName().toString();
                String owner = name.substring(0, name.length() - ".list".length());
                for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                    result.putIfAbsent(line, owner);
                }
            }
        }
        return result;
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
