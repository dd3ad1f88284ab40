package dev.minimalimage.dockerfile;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Applies an image layer (tar, gzip or zstd) to a stage's root as a container runtime does: whiteouts
 * ({@code .wh.NAME}, {@code .wh..wh..opq}) delete, links are resolved inside the root, hard links link, device files
 * and FIFOs are left out (an unprivileged build cannot create them, and no build step needs them on disk), owners
 * are the caller's. Directories keep owner write access, so later steps can add to them.
 */
public final class LayerUnpacker {

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private LayerUnpacker() {
    }

    public static void apply(InputStream layer, RootedFs root) throws IOException {
        Deque<Map.Entry<Path, Integer>> directoryModes = new ArrayDeque<>();
        // the directories this layer made or entered, by image path: most entries share their parent with the last
        Map<String, Path> directories = new java.util.HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(layer))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String path = "/" + DockerfilePlanner.normalize("/" + entry.getName()).substring(1);
                if (path.equals("/")) {
                    continue;
                }
                int slash = path.lastIndexOf('/');
                String name = path.substring(slash + 1);
                String parentPath = path.substring(0, slash);
                Path parent = directories.get(parentPath);
                if (parent == null) {
                    parent = root.createDirectories(parentPath);
                    directories.put(parentPath, parent);
                }
                if (name.equals(OPAQUE)) {
                    clear(parent);
                    directories.clear();
                } else if (name.startsWith(WHITEOUT)) {
                    delete(parent.resolve(name.substring(WHITEOUT.length())));
                    directories.clear();
                } else {
                    if (!entry.isDirectory()) {
                        directories.remove(path); // a directory replaced by a file or link is no longer one
                    }
                    unpack(tar, entry, root, parent.resolve(name), directoryModes);
                }
            }
        }
        while (!directoryModes.isEmpty()) {
            Map.Entry<Path, Integer> directory = directoryModes.pop();
            Files.setAttribute(directory.getKey(), "unix:mode", directory.getValue() | 0700);
        }
    }

    private static void unpack(TarArchiveInputStream tar, TarArchiveEntry entry, RootedFs root, Path target,
            Deque<Map.Entry<Path, Integer>> directoryModes) throws IOException {
        if (entry.isDirectory()) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                delete(target);
                Files.createDirectory(target);
            }
            directoryModes.push(Map.entry(target, entry.getMode() & 07777));
            return;
        }
        if (entry.isSymbolicLink()) {
            delete(target);
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
            Path existing = root.resolve("/" + entry.getLinkName(), false);
            delete(target);
            if (Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                Files.createLink(target, existing);
            }
        } else if (entry.isFile()) {
            delete(target);
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setAttribute(target, "unix:mode", entry.getMode() & 07777);
        } // devices and FIFOs: see the class comment
    }

    private static void delete(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            clear(path);
        }
        Files.deleteIfExists(path);
    }

    private static void clear(Path directory) throws IOException {
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (!dir.equals(directory)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static InputStream decompressed(InputStream layer) throws IOException {
        BufferedInputStream in = new BufferedInputStream(layer, 65536);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GzipCompressorInputStream(in, true);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return new ZstdCompressorInputStream(in);
        }
        return in;
    }
}
