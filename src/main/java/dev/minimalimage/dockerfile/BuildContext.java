package dev.minimalimage.dockerfile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** The build context: a directory, less what its {@code .dockerignore} leaves out. */
public final class BuildContext {

    private final Path root;
    private final DockerIgnore ignore;

    private BuildContext(Path root, DockerIgnore ignore) {
        this.root = root;
        this.ignore = ignore;
    }

    /** The context at {@code root}, with its .dockerignore when it has one. */
    public static BuildContext of(Path root) throws IOException, DockerfileException {
        Path ignoreFile = root.resolve(DockerIgnore.FILE_NAME);
        DockerIgnore ignore = Files.isRegularFile(ignoreFile)
                ? DockerIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8)) : DockerIgnore.NONE;
        return new BuildContext(root, ignore);
    }

    /**
     * The context at {@code root}, which is a mounted ConfigMap (the inline files: each is a link into its
     * {@code ..data} directory, beside the kubelet's own {@code ..}-named entries, which no inline file name can
     * have): a copy of its files alone, made under {@code scratch}, so COPY . sees the files and no links. Said by
     * the caller (the operator knows its source is inline), never guessed from the files: a repository may hold a
     * {@code ..data} of its own.
     */
    public static BuildContext ofConfigMap(Path root, Path scratch) throws IOException, DockerfileException {
        Path copy = Files.createDirectories(scratch.resolve("context"));
        try (var entries = Files.list(root)) {
            for (Path entry : entries.filter(e -> !e.getFileName().toString().startsWith("..")).sorted().toList()) {
                copyFollowingLinks(entry, copy.resolve(entry.getFileName().toString()));
            }
        }
        return of(copy);
    }

    private static void copyFollowingLinks(Path source, Path target) throws IOException {
        if (Files.isDirectory(source)) {
            Files.createDirectories(target);
            try (var entries = Files.list(source)) {
                for (Path entry : entries.sorted().toList()) {
                    copyFollowingLinks(entry, target.resolve(entry.getFileName().toString()));
                }
            }
        } else {
            Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES); // the mode the volume gives
        }
    }

    public Path root() {
        return root;
    }

    boolean excluded(String relative) {
        return !relative.isEmpty() && ignore.excludes(relative);
    }

    /**
     * The context paths (relative, "" for the whole context) a COPY source names: the path itself, or every path a
     * wildcard pattern matches; empty when nothing matches or the path is excluded.
     */
    List<String> expand(String source, int line) throws IOException, StepFailedException {
        if (escapes(source)) {
            throw new StepFailedException(line, source + " is outside the build context (sources are relative to"
                    + " it and cannot leave it)");
        }
        GlobPattern pattern = GlobPattern.of(source);
        if (!pattern.hasWildcards()) {
            String relative = pattern.text();
            Path path = host(relative);
            return excluded(relative) || !Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? List.of()
                    : List.of(relative);
        }
        List<String> matches = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return visit(dir);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                return visit(file);
            }

            private FileVisitResult visit(Path path) {
                String relative = root.relativize(path).toString();
                if (excluded(relative)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!relative.isEmpty() && pattern.matches(relative)) {
                    matches.add(relative);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        matches.sort(null);
        return matches;
    }

    /** Whether ".." in the source climbs above the context root. */
    private static boolean escapes(String source) {
        int depth = 0;
        for (String part : source.split("/")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    /** The host path of a context path, no link followed past the context ("" is the context itself). */
    /**
     * The file a context path names, with every link resolved inside the context (as BuildKit resolves them): a link
     * to /var/run/secrets/... names the context's own var/run/secrets/..., never a file of the machine or pod.
     */
    Path host(String relative) throws IOException {
        return relative.isEmpty() ? root : new RootedFs(root).resolve(relative, true);
    }
}
