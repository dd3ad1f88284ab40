package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The operating system's reason for a failed file operation, in the words of strerror(3), for every command: Java
 * reports some as an exception type without a reason ({@link NoSuchFileException} says only the path), others as a
 * bare IOException without the path ("Is a directory" from a read).
 */
final class FileErrors {

    private FileErrors() {
    }

    /** "PATH: reason", the path the system named if it named one (a missing parent, say), else {@code path}. */
    static String describe(Path path, IOException e) {
        String file = e instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : String.valueOf(path);
        return file + ": " + reason(e);
    }

    /**
     * Null when {@code file} is a regular file this process can open for reading, else "PATH: reason" (a directory,
     * a device, a missing file, no permission), so that a reader never gets to report it in its own words.
     */
    static String unreadableFile(Path file) {
        try {
            if (Files.isDirectory(file)) {
                return file + ": is a directory";
            }
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                return file + ": not a regular file";
            }
            Files.newByteChannel(file).close();
            return null;
        } catch (IOException e) {
            return describe(file, e);
        }
    }

    /** "no such file or directory", "permission denied", "is a directory", "read-only file system", ... */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "file exists";
        }
        String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        return reason == null || reason.isEmpty() ? e.getClass().getSimpleName() : lowerFirst(reason);
    }

    private static String lowerFirst(String text) {
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
