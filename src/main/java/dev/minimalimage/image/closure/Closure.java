package dev.minimalimage.image.closure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SortedMap;

/**
 * The shared-library closure of a set of ELF files: every file and symbolic link, at the path the loader opens it
 * by under the system root, that must be in an image next to those files so they load.
 *
 * @param files       image path (absolute) to what is there, sorted; only files and links outside the inputs
 * @param resolutions how each DT_NEEDED entry (and PT_INTERP, as need "PT_INTERP") was satisfied, in discovery order
 * @param configuredDirectories directories (in the loader's search order) where libraries were found that the root's
 *                    loader knows from ld.so.conf (via ld.so.cache) or musl's path file only: a root without that
 *                    cache or file, as an image, must name them in LD_LIBRARY_PATH
 * @param configurationFiles the loader configuration the search read (ld.so.conf and what it includes, musl's path
 *                    file), paths inside the root
 */
public record Closure(Path root, SortedMap<String, Entry> files, List<Resolution> resolutions,
        List<String> configuredDirectories, List<String> configurationFiles) {

    /** A regular file copied from {@code source}, or a symbolic link to {@code linkTarget} (exactly one non-null). */
    public record Entry(String path, Path source, String linkTarget) {
        public boolean isSymlink() {
            return linkTarget != null;
        }
    }

    /**
     * @param need         the DT_NEEDED name, or "PT_INTERP"
     * @param neededBy     the object that needs it (host path)
     * @param path         where it was found: the loader's path in the image, or the host path for inputs
     * @param insideInputs satisfied by one of the input files (e.g. libjava.so via $ORIGIN), so nothing to add
     */
    public record Resolution(String need, String neededBy, String path, boolean insideInputs) {
    }

    /**
     * Copies the loader configuration the search read into {@code stage} at the same paths (their content: links
     * followed inside the root), so that a search in {@code stage} goes through the same directories.
     */
    public void copyConfigurationTo(Path stage) throws IOException {
        RootedPaths rooted = new RootedPaths(root);
        for (String file : configurationFiles) {
            RootedPaths.Resolved resolved = rooted.resolve(file);
            if (resolved != null) {
                Path target = inside(stage, file);
                Files.createDirectories(target.getParent());
                Files.copy(rooted.host(resolved.realPath()), target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Copies the closure into {@code stage} at the image paths (regular files 0755 if executable, else 0644; links
     * kept as links), so the directory can be packed as a layer or used as a root.
     */
    public void copyTo(Path stage) throws IOException {
        for (Entry entry : files.values()) {
            Path target = inside(stage, entry.path());
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            if (entry.isSymlink()) {
                Files.createSymbolicLink(target, Path.of(entry.linkTarget()));
            } else {
                Files.copy(entry.source(), target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                        Files.isExecutable(entry.source()) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** {@code absolute} under {@code stage}; refused if ".." would take it out (names come from the root's files). */
    private static Path inside(Path stage, String absolute) throws IOException {
        Path base = stage.toAbsolutePath().normalize();
        Path target = base.resolve(absolute.substring(1)).normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new IOException("refusing to write " + absolute + " outside " + stage);
        }
        return target;
    }
}
