package dev.minimalimage.dockerfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;

import dev.minimalimage.dockerfile.DockerfilePlan.Copy;
import dev.minimalimage.dockerfile.DockerfilePlan.Workdir;

/**
 * Carries out the file steps of a stage (COPY, ADD, WORKDIR) on its root, with docker's rules: a directory source
 * copies its contents, a file goes into the destination when that is a directory (or ends with /), modes come from
 * the source unless --chmod says otherwise, parents are created 0755.
 */
public final class StageFiles {

    /** Owners that need no privileges: the files of the image are root's anyway (the layer writer records 0:0). */
    private static final Set<String> ROOT_OWNERS = Set.of("0", "0:0", "root", "root:root", "root:0", "0:root");

    private StageFiles() {
    }

    public static void workdir(RootedFs root, Workdir step) throws IOException {
        root.createDirectories(step.path());
    }

    /**
     * A COPY or ADD into {@code into}; {@code from}: the root of the stage or image it copies from (null: the
     * context, or the heredoc's content).
     */
    public static void copy(RootedFs into, Copy step, BuildContext context, RootedFs from)
            throws IOException, StepFailedException, DockerfileException {
        copy(into, step, context, from, path -> { });
    }

    /** As {@link #copy(RootedFs, Copy, BuildContext, RootedFs)}, telling {@code written} each file's image path. */
    public static void copy(RootedFs into, Copy step, BuildContext context, RootedFs from,
            java.util.function.Consumer<String> written) throws IOException, StepFailedException, DockerfileException {
        if (step.chown() != null && !ROOT_OWNERS.contains(step.chown())) {
            throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, step.line(), 0, (step.add() ? "ADD"
                    : "COPY") + " --chown=" + step.chown() + ": files in the image belong to root (0:0); give the"
                    + " program's user access with --chmod instead");
        }
        if (step.content() != null) {
            Path target = fileTarget(into, step, "file");
            Files.writeString(target, step.content(), StandardCharsets.UTF_8);
            Files.setAttribute(target, "unix:mode", step.chmod() != null ? step.chmod() : 0644);
            written.accept(into.imagePath(target));
            return;
        }
        for (String source : step.sources()) {
            if (from == null) {
                copyFromContext(into, step, context, source, written);
            } else {
                copyFromRoot(into, step, from, source, written);
            }
        }
    }

    private static void copyFromContext(RootedFs into, Copy step, BuildContext context, String source,
            java.util.function.Consumer<String> written) throws IOException, StepFailedException, DockerfileException {
        List<String> matches = context.expand(source, step.line());
        if (matches.isEmpty()) {
            throw new StepFailedException(step.line(), keyword(step) + " " + source + ": not in the build context "
                    + context.root() + " (or left out by its .dockerignore)");
        }
        for (String relative : matches) {
            Path path = context.host(relative);
            Archive archive = step.add() && Files.isRegularFile(path) ? archive(path) : Archive.NONE;
            if (archive == Archive.OTHER) {
                throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, step.line(), 0, "ADD " + source
                        + " is a bzip2 or xz archive, which ADD would unpack; only tar, tar.gz and tar.zst are"
                        + " unpacked here: COPY it and unpack it with RUN tar in a build stage");
            }
            if (archive == Archive.TAR) {
                Path directory = into.createDirectories(step.destination());
                try (InputStream in = Files.newInputStream(path)) {
                    LayerUnpacker.apply(in, new RootedFs(directory)); // as docker: into the destination directory
                }
                continue;
            }
            place(into, step, path, name(relative, context.root()), context, relative, written);
        }
    }

    private static void copyFromRoot(RootedFs into, Copy step, RootedFs from, String source,
            java.util.function.Consumer<String> written) throws IOException, StepFailedException {
        GlobPattern pattern = GlobPattern.of(source);
        Path path = from.resolve("/" + pattern.text(), true);
        if (pattern.hasWildcards() || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!pattern.hasWildcards()) {
                throw new StepFailedException(step.line(), keyword(step) + " --from: " + source + " does not exist"
                        + " in the stage or image it copies from");
            }
            throw new StepFailedException(step.line(), keyword(step) + " --from: wildcards (" + source + ") are"
                    + " supported for sources in the build context only; name the path");
        }
        place(into, step, path, path.getFileName() == null ? "" : path.getFileName().toString(), null, null,
                written);
    }

    /** One source (a file, a link or a directory) to its destination. */
    private static void place(RootedFs into, Copy step, Path source, String name, BuildContext context,
            String contextPath, java.util.function.Consumer<String> written) throws IOException {
        if (Files.isDirectory(source)) {
            Path target = into.createDirectories(step.destination());
            copyTree(into, into.imagePath(target), source, step.chmod(), context, contextPath, written);
            return;
        }
        String destination = step.destination();
        Path resolved = into.resolve(destination, true);
        if (step.intoDirectory() || Files.isDirectory(resolved)) {
            into.createDirectories(destination);
            destination = into.imagePath(into.resolve(destination, true)) + "/" + name;
        }
        copyOne(into, source, destination, step.chmod(), true);
        written.accept(destination);
    }

    private static Path fileTarget(RootedFs into, Copy step, String name) throws IOException {
        String destination = step.destination();
        if (step.intoDirectory() || Files.isDirectory(into.resolve(destination, true))) {
            destination = destination + "/" + name;
        }
        int slash = destination.lastIndexOf('/');
        Path parent = into.createDirectories(destination.substring(0, Math.max(slash, 0)));
        Path target = parent.resolve(destination.substring(slash + 1));
        Files.deleteIfExists(target);
        return target;
    }

    private static void copyTree(RootedFs into, String destination, Path sourceDir, Integer chmod,
            BuildContext context, String contextPath, java.util.function.Consumer<String> written) throws IOException {
        Files.walkFileTree(sourceDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String relative = sourceDir.relativize(dir).toString();
                if (!relative.isEmpty() && ignored(relative)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Path target = into.createDirectories(destination + (relative.isEmpty() ? "" : "/" + relative));
                int mode = chmod != null ? chmod : mode(dir);
                Files.setAttribute(target, "unix:mode", mode | 0700); // the owner keeps access to fill it
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String relative = sourceDir.relativize(file).toString();
                if (!ignored(relative)) {
                    copyOne(into, file, destination + "/" + relative, chmod, false);
                    written.accept(destination + "/" + relative);
                }
                return FileVisitResult.CONTINUE;
            }

            private boolean ignored(String relative) {
                return context != null && context.excluded(contextPath.isEmpty() ? relative
                        : contextPath + "/" + relative);
            }
        });
    }

    /** A file or link at {@code destination}; {@code followSource}: a link named as the source is copied as its target. */
    private static void copyOne(RootedFs into, Path source, String destination, Integer chmod, boolean followSource)
            throws IOException {
        int slash = destination.lastIndexOf('/');
        Path parent = into.createDirectories(destination.substring(0, Math.max(slash, 0)));
        Path target = parent.resolve(destination.substring(slash + 1));
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(destination + " is a directory in the stage; a file cannot replace it");
        }
        Files.deleteIfExists(target);
        if (Files.isSymbolicLink(source) && !followSource) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            return;
        }
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setAttribute(target, "unix:mode", chmod != null ? chmod : mode(source));
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
    }

    /** Whether a gzip or zstd file holds a tar (docker copies a compressed file of anything else as it is). */
    private static boolean compressedTar(Path file, boolean gzip) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = gzip ? new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(raw)
                        : new org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream(raw)) {
            byte[] head = in.readNBytes(262);
            return head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException e) {
            return false; // not even a valid compressed file: copied as it is
        }
    }

    private static String name(String relative, Path contextRoot) {
        int slash = relative.lastIndexOf('/');
        return relative.isEmpty() ? contextRoot.getFileName().toString() : relative.substring(slash + 1);
    }

    private static String keyword(Copy step) {
        return step.add() ? "ADD" : "COPY";
    }

    /** What ADD does with a local file: unpack it (a tar, plain or compressed), or copy it. */
    private enum Archive { NONE, TAR, OTHER }

    private static Archive archive(Path file) throws IOException {
        byte[] head = new byte[262];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        boolean gzip = read >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
        boolean zstd = read >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd;
        boolean bzip2 = read >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h';
        boolean xz = read >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X';
        boolean tar = read >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        if (tar || (gzip || zstd) && compressedTar(file, gzip)) {
            return Archive.TAR;
        }
        return bzip2 || xz ? Archive.OTHER : Archive.NONE;
    }
}
