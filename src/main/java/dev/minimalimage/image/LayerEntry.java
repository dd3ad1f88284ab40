package dev.minimalimage.image;

import java.nio.file.Path;

/** One file system object in the layer. Exactly one of {@code source} / {@code content} / {@code linkTarget} for files and links. */
record LayerEntry(String path, Kind kind, int mode, Path source, byte[] content, String linkTarget) {

    enum Kind { DIRECTORY, FILE, SYMLINK }

    static LayerEntry directory(String path, int mode) {
        return new LayerEntry(path, Kind.DIRECTORY, mode, null, null, null);
    }

    static LayerEntry file(String path, int mode, Path source) {
        return new LayerEntry(path, Kind.FILE, mode, source, null, null);
    }

    static LayerEntry file(String path, int mode, byte[] content) {
        return new LayerEntry(path, Kind.FILE, mode, null, content, null);
    }

    static LayerEntry symlink(String path, String target) {
        return new LayerEntry(path, Kind.SYMLINK, 0777, null, null, target);
    }

    /** Tar member name: relative, directories with a trailing slash. */
    String tarName() {
        String relative = path.substring(1);
        return kind == Kind.DIRECTORY ? relative + "/" : relative;
    }
}
