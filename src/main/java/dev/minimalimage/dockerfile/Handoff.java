package dev.minimalimage.dockerfile;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one container of a Dockerfile build hands on to the later ones (in the builder pod, an emptyDir they share):
 * the paths later stages COPY --from it, each at the path the Dockerfile names with its content as the stage's root
 * resolves it (links followed inside that root, as COPY --from follows them), under {@code DIR/root}.
 * <p>
 * The containers run as different users (a stage as root, the packer as 65532), so every handed-on file is made
 * readable by all, and the modes it had are kept in {@code DIR/modes.json}; {@link #materialize} puts them back on
 * its own copy. Owners are not kept: files in the image belong to root anyway.
 */
public final class Handoff {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOT = "root";
    private static final String MODES = "modes.json";

    private final Path directory;
    private final Map<String, Integer> modes = new TreeMap<>();

    private Handoff(Path directory) {
        this.directory = directory;
    }

    /** The hand-over of {@code key} (see {@link StageContainers}) under the shared directory. */
    public static Path directory(Path shared, String key) {
        return shared.resolve(key);
    }

    /** Copies each of {@code paths} (absolute, in {@code stage}) into {@code directory}, then writes the modes. */
    public static void write(RootedFs stage, Iterable<String> paths, Path directory) throws IOException,
            MissingPathException {
        Handoff handoff = new Handoff(directory);
        Files.createDirectories(directory.resolve(ROOT));
        // ancestors first: "/out" then "/out/bin/tool", which the copy of /out holds already
        java.util.SortedSet<String> sorted = new java.util.TreeSet<>();
        paths.forEach(path -> sorted.add(DockerfilePlanner.normalize(path)));
        Object rootDevice = Files.getAttribute(stage.root(), "unix:dev");
        for (String path : sorted) {
            handoff.add(stage, path, rootDevice);
        }
        JSON.writeValue(directory.resolve(MODES).toFile(), handoff.modes);
    }

    /** A path that a later stage copies and this one does not have: the COPY --from line would fail. */
    public static final class MissingPathException extends Exception {
        MissingPathException(String path) {
            super(path);
        }
    }

    private void add(RootedFs stage, String normalized, Object rootDevice) throws IOException, MissingPathException {
        if (FOREIGN.stream().anyMatch(f -> normalized.equals(f) || normalized.startsWith(f + "/"))) {
            throw new MissingPathException(normalized + " (the container's own mounts are not the stage's files)");
        }
        Path source = stage.resolve(normalized, true);
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new MissingPathException(normalized);
        }
        RootedFs into = new RootedFs(directory.resolve(ROOT));
        int slash = normalized.lastIndexOf('/');
        into.createDirectories(normalized.substring(0, Math.max(slash, 0)));
        Path target = into.resolve(normalized, false); // links handed on earlier resolve inside the hand-over
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return; // inside a directory handed on already
        }
        if (Files.isDirectory(source)) {
            copyTree(source, target, normalized, rootDevice);
        } else {
            copyFile(source, target, normalized);
        }
    }

    /** What the kubelet and the pod mount into a stage's container: never the stage's own files. */
    private static final java.util.List<String> FOREIGN = java.util.List.of("/proc", "/sys", "/dev",
            "/.minimal-image");

    /**
     * A directory as COPY --from copies it, without what is mounted into the container from elsewhere (another
     * device: /proc, the pod's /etc/hosts and resolv.conf, the hand-over volume itself), which is the pod's, not the
     * stage's, and would change with every pod. Directory modes are set once their contents are in (a read-only
     * directory could not be filled).
     */
    private void copyTree(Path source, Path target, String imagePath, Object rootDevice) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!rootDevice.equals(Files.getAttribute(dir, "unix:dev"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(file).toString());
                if (attrs.isSymbolicLink()) { // inside a directory a link stays a link, as COPY keeps it
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile() && rootDevice.equals(Files.getAttribute(file, "unix:dev"))) {
                    copyFile(file, copy, imagePath + suffix(source, file));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
                if (failed != null) {
                    throw failed;
                }
                record(dir, target.resolve(source.relativize(dir).toString()), imagePath + suffix(source, dir), 0555);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String suffix(Path base, Path path) {
        String relative = base.relativize(path).toString();
        return relative.isEmpty() ? "" : "/" + relative;
    }

    private void copyFile(Path source, Path target, String imagePath) throws IOException {
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        record(source, target, imagePath, 0444);
    }

    /** Keeps the mode the stage gave the file; the copy gets {@code readable} bits on top, for the next container. */
    private void record(Path source, Path copy, String imagePath, int readable) throws IOException {
        int mode = (Integer) Files.getAttribute(source, "unix:mode") & 07777;
        modes.put(imagePath, mode);
        Files.setAttribute(copy, "unix:mode", (mode | readable) & 0777);
    }

    /**
     * A copy of the hand-over in {@code target} (a new directory) with the stage's modes back on every file and
     * directory: the root of the stage as far as later stages can see it.
     */
    public static RootedFs materialize(Path directory, Path target) throws IOException {
        Path root = directory.resolve(ROOT);
        if (!Files.isDirectory(root)) {
            throw new IOException(directory + " holds no hand-over (the container that writes it did not finish)");
        }
        Map<String, Integer> modes = JSON.readValue(directory.resolve(MODES).toFile(),
                new TypeReference<TreeMap<String, Integer>>() { });
        Files.createDirectories(target);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(root.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(root.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
                } else {
                    Files.copy(file, copy);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        // children first: a directory's own mode may take away the write bit its files need to be set
        RootedFs copy = new RootedFs(target);
        for (Map.Entry<String, Integer> entry : ((TreeMap<String, Integer>) modes).descendingMap().entrySet()) {
            Path file = copy.resolve(entry.getKey(), false); // inside the copy, whatever the key says
            if (file.startsWith(target) && Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isSymbolicLink(file)) {
                Files.setAttribute(file, "unix:mode", entry.getValue() & 07777);
            }
        }
        return copy;
    }
}
