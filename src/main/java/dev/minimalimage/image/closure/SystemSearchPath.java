package dev.minimalimage.image.closure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The directories the loader searches after RPATH/RUNPATH, inside a system root: those of /etc/ld.so.conf (what
 * ldconfig puts into ld.so.cache; "include" globs followed) and then the standard ones, multiarch first.
 *
 * @param directories    in search order
 * @param loaderDefaults the ones the loader searches with no cache and no configuration file, as in an image; a
 *                       library found anywhere else needs LD_LIBRARY_PATH there
 * @param configurationFiles the files read to build the list (paths inside the root, in reading order): a copy of
 *                       the root with the same files searches the same directories
 */
record SystemSearchPath(List<String> directories, Set<String> loaderDefaults, List<String> configurationFiles) {

    private static final int MAX_INCLUDE_DEPTH = 8;
    /** musl's loader without /etc/ld-musl-ARCH.path. */
    private static final List<String> MUSL_DEFAULTS = List.of("/lib", "/usr/local/lib", "/usr/lib");

    static SystemSearchPath of(RootedPaths root, int machine, boolean is64) throws IOException {
        Set<String> dirs = new LinkedHashSet<>();
        Set<String> read = new LinkedHashSet<>();
        readConf(root, "/etc/ld.so.conf", dirs, read, 0);
        List<String> standard = standardDirectories(machine, is64);
        dirs.addAll(standard);
        return new SystemSearchPath(List.copyOf(dirs), Set.copyOf(standard), List.copyOf(read));
    }

    /**
     * musl's loader does not read ld.so.conf: it reads /etc/ld-musl-ARCH.path (directories separated by newlines or
     * colons) and without it searches /lib:/usr/local/lib:/usr/lib. ARCH comes from the loader's name
     * (/lib/ld-musl-x86_64.so.1).
     */
    static SystemSearchPath ofMusl(RootedPaths root, String loader) throws IOException {
        String name = loader.substring(loader.lastIndexOf('/') + 1);
        String arch = name.replaceFirst("^ld-musl-", "").replaceFirst("\\.so.*$", "");
        String configPath = "/etc/ld-musl-" + arch + ".path";
        Path config = confined(root, configPath);
        if (config == null || !Files.isRegularFile(config)) {
            return new SystemSearchPath(MUSL_DEFAULTS, Set.copyOf(MUSL_DEFAULTS), List.of());
        }
        Set<String> dirs = new LinkedHashSet<>();
        for (String dir : Files.readString(config, StandardCharsets.UTF_8).split("[\\n:]+")) {
            if (dir.trim().startsWith("/")) {
                dirs.add(dir.trim().replaceAll("/+$", ""));
            }
        }
        return new SystemSearchPath(List.copyOf(dirs), Set.copyOf(MUSL_DEFAULTS), List.of(configPath));
    }

    /** Whether the loader finds {@code dir} only through the root's cache or configuration, which an image lacks. */
    boolean onlyConfigured(String dir) {
        return !loaderDefaults.contains(dir);
    }

    /** The Debian multiarch triplet for an ELF machine, or null. */
    static String multiarch(int machine, boolean is64) {
        return switch (machine) {
            case 62 -> is64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
            case 3 -> "i386-linux-gnu";
            case 183 -> "aarch64-linux-gnu";
            case 40 -> "arm-linux-gnueabihf";
            case 243 -> "riscv64-linux-gnu";
            case 21 -> "powerpc64le-linux-gnu";
            case 22 -> "s390x-linux-gnu";
            default -> null;
        };
    }

    static List<String> standardDirectories(int machine, boolean is64) {
        List<String> dirs = new ArrayList<>();
        String triplet = multiarch(machine, is64);
        if (triplet != null) {
            dirs.add("/lib/" + triplet);
            dirs.add("/usr/lib/" + triplet);
        }
        if (is64) {
            dirs.add("/lib64");
            dirs.add("/usr/lib64");
        }
        dirs.add("/lib");
        dirs.add("/usr/lib");
        return dirs;
    }

    /**
     * {@code absolute}'s file inside the root, links followed as a chroot would (never out of the root: a staged root
     * is written by the compile step, and the package step that reads it holds the push credentials); null if absent.
     */
    private static Path confined(RootedPaths root, String absolute) throws IOException {
        RootedPaths.Resolved resolved = root.resolve(absolute);
        return resolved == null ? null : root.host(resolved.realPath());
    }

    private static void readConf(RootedPaths root, String file, Set<String> dirs, Set<String> read, int depth)
            throws IOException {
        Path host = confined(root, file);
        if (depth > MAX_INCLUDE_DEPTH || host == null || !Files.isRegularFile(host)) {
            return;
        }
        read.add(file);
        for (String raw : Files.readAllLines(host, StandardCharsets.UTF_8)) {
            String line = raw.replaceAll("#.*", "").trim();
            if (line.startsWith("include") && line.length() > 7 && Character.isWhitespace(line.charAt(7))) {
                for (String pattern : line.substring(8).trim().split("\\s+")) {
                    // normalized: the name is also where stage-bundle writes its copy, which ".." must not leave
                    String absolute = Path.of(pattern.startsWith("/") ? pattern
                            : file.substring(0, file.lastIndexOf('/') + 1) + pattern).normalize().toString();
                    for (String included : glob(root, absolute)) {
                        readConf(root, included, dirs, read, depth + 1);
                    }
                }
            } else if (!line.isEmpty() && !line.startsWith("hwcap")) {
                for (String dir : line.split("[\\s:,]+")) {
                    if (dir.startsWith("/")) {
                        dirs.add(dir.replaceAll("/+$", ""));
                    }
                }
            }
        }
    }

    /** Files matching a glob in its last component (as /etc/ld.so.conf.d/*.conf), sorted like glob(3). */
    private static List<String> glob(RootedPaths root, String pattern) throws IOException {
        int slash = pattern.lastIndexOf('/');
        String dir = slash == 0 ? "/" : pattern.substring(0, slash);
        String name = pattern.substring(slash + 1);
        Path hostDir = confined(root, dir);
        List<String> matches = new ArrayList<>();
        if (hostDir == null || !Files.isDirectory(hostDir)) {
            return matches;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(hostDir, name)) {
            for (Path entry : entries) {
                matches.add((dir.equals("/") ? "" : dir) + "/" + entry.getFileName());
            }
        }
        matches.sort(null);
        return matches;
    }
}
