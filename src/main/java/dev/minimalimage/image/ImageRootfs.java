package dev.minimalimage.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Unpacks an assembled image's layers (the compressed blobs as delivered) into a directory, to run the image from:
 * directories, files and symbolic links with their modes (setuid, sticky and all). Made for images this tool
 * assembles: no hard links, devices or whiteouts; a member that would land outside the directory is refused.
 */
public final class ImageRootfs {

    private ImageRootfs() {
    }

    /** Unpacks every layer, bottom first, into the existing directory {@code root}; ownership is the caller's. */
    public static void materialize(AssembledImage image, Path root) throws IOException {
        Path realRoot = root.toRealPath();
        // directory modes last: a read-only directory unpacked early would refuse its own contents
        Deque<Map.Entry<Path, Integer>> directoryModes = new ArrayDeque<>();
        for (Blob layer : image.layers()) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(layer))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    Path target = placed(realRoot, entry.getName());
                    if (target == null) {
                        continue;
                    }
                    if (entry.isDirectory()) {
                        directory(target);
                        directoryModes.push(Map.entry(target, entry.getMode()));
                    } else {
                        unpack(tar, entry, target);
                    }
                }
            }
        }
        while (!directoryModes.isEmpty()) {
            Map.Entry<Path, Integer> directory = directoryModes.pop();
            setMode(directory.getKey(), directory.getValue());
        }
    }

    /**
     * Creates {@code imagePath} (absolute, in image terms) under {@code root} unless it exists, as runc does for a
     * WorkingDir the image lacks; with the same guard against links as the layers' members.
     */
    public static void ensureDirectory(Path root, String imagePath) throws IOException {
        Path target = placed(root.toRealPath(), imagePath.replaceFirst("^/+", ""));
        if (target != null && !Files.exists(target)) {
            Files.createDirectory(target);
        }
    }

    /** A directory where an earlier layer may have put a file or a link (replaced, as runtimes do). */
    private static void directory(Path target) throws IOException {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(target);
            Files.createDirectory(target);
        }
    }

    private static InputStream decompressed(Blob layer) throws IOException {
        InputStream bytes = new ByteArrayInputStream(layer.bytes());
        return layer.mediaType().equals(Compression.ZSTD.mediaType()) ? new ZstdCompressorInputStream(bytes)
                : new GzipCompressorInputStream(bytes, true); // parallel gzip writes concatenated members
    }

    private static void unpack(TarArchiveInputStream tar, TarArchiveEntry entry, Path target) throws IOException {
        Files.deleteIfExists(target); // a later layer replaces; never writes through an earlier layer's link
        if (entry.isSymbolicLink()) {
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        } else if (entry.isFile()) {
            Files.copy(tar, target);
            setMode(target, entry.getMode());
        } else {
            throw new IOException("layer member " + entry.getName() + " is neither a directory, a file nor a"
                    + " symbolic link");
        }
    }

    /**
     * Where a member goes: inside {@code root} and never behind a symbolic link (which could lead anywhere on this
     * host); its parent directories are created. Null for the root itself, which the caller prepared.
     */
    private static Path placed(Path root, String name) throws IOException {
        Path target = root.resolve(name).normalize();
        if (target.equals(root)) {
            return null;
        }
        if (!target.startsWith(root)) {
            throw new IOException("layer member " + name + " is outside the image root");
        }
        Path current = root;
        for (Path part : root.relativize(target.getParent())) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new IOException("layer member " + name + " lies behind the symbolic link " + current);
            }
        }
        Files.createDirectories(target.getParent());
        return target;
    }

    private static void setMode(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }
}
