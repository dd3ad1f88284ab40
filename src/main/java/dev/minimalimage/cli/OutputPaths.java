package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks an output path before any work is done, by asking the file system itself (a probe file, an open for
 * writing), so the answer and its reason are the system's: no such file or directory, permission denied, is a
 * directory, read-only file system. Nothing is left behind.
 */
final class OutputPaths {

    private OutputPaths() {
    }

    /** {@code file} can be written: an existing file opened for writing (not truncated), or a new one created. */
    static void checkFile(String option, Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new FileProblem(option + " " + file + ": is a directory (name a file)");
            }
            if (Files.exists(file)) {
                Files.newByteChannel(file, StandardOpenOption.WRITE).close();
            } else {
                Files.newByteChannel(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW).close();
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new FileProblem(option + " " + file + ": " + FileErrors.reason(e));
        }
    }

    /** Files can be written in {@code dir}: it exists as a directory, or its parent does (it is then created). */
    static void checkDirectory(String option, Path dir) {
        Path existing = Files.exists(dir) ? dir : dir.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(existing)) {
                throw Files.exists(existing) ? new NotDirectoryException(existing.toString())
                        : new java.nio.file.NoSuchFileException(existing.toString());
            }
            Files.delete(Files.createTempFile(existing, ".minimal-image-probe", null));
        } catch (IOException e) {
            String where = existing.equals(dir) ? "" : " (its parent " + existing + ")";
            throw new FileProblem(option + " " + dir + ": " + FileErrors.reason(e) + where);
        }
    }
}
