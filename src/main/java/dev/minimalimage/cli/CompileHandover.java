package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Option;

/**
 * The builder pod's packer starts beside the compile step, not after it: its JVM starts and its registry connection
 * authenticates while the compiler runs. It waits for the compile step's exit code in {@code --await-compile}, then
 * takes what the step left ({@code --take}, {@code --take-root}) into its own storage, once: a build process still
 * running cannot swap a file between the check and the pack, since both read the copy.
 */
final class CompileHandover {

    /** How often the exit-code file is looked for: the whole delay it adds to a build is at most this. */
    private static final Duration POLL = Duration.ofMillis(10);

    @Option(names = "--await-compile", paramLabel = "FILE", description = { "builder pods: wait until the compile",
            "step writes its exit code (one line) to FILE; 0 takes its outputs (--take), another ends without packing" })
    Path exitCodeFile;

    @Option(names = "--await-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "how long --await-compile waits at most (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--take", paramLabel = "FROM=TO", description = { "with --await-compile: copy FROM (a file or a",
            "directory the compile step wrote) to TO once it ended; a link is followed only within FROM's directory" })
    List<String> takes = new ArrayList<>();

    @Option(names = "--take-root", paramLabel = "FROM=TO", description = { "as --take, for a root read with its",
            "links resolved inside it (--bundle-root): its links are copied as links" })
    List<String> rootTakes = new ArrayList<>();

    boolean active() {
        return exitCodeFile != null;
    }

    /**
     * While the compiler runs, packs a tiny program into an OCI layout of its own, on a thread of its own: the JVM
     * loads and compiles the ELF reader, the tar and gzip writers and the assembler before the real program is there,
     * so that packing it takes tens of milliseconds, not hundreds. It writes only below java.io.tmpdir (the packer's
     * own /tmp) and reports nothing; the real packing never waits for it.
     */
    void warmUpMeanwhile() {
        if ("0".equals(System.getenv("MINIMAL_IMAGE_WARM_UP"))) { // bench/handover.sh's baseline
            return;
        }
        Thread warmUp = new Thread(CompileHandover::packTinyProgram, "warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    private static void packTinyProgram() {
        try {
            Path dir = Files.createTempDirectory("minimal-image-warm-up");
            Path program = Files.write(dir.resolve("exit"), TinyProgram.ELF);
            java.io.PrintWriter quiet = new java.io.PrintWriter(java.io.Writer.nullWriter());
            MinimalImageCommand.run(quiet, quiet, "package", program.toString(), "--oci-layout",
                    dir.resolve("layout").toString());
        } catch (IOException | RuntimeException e) {
            // a warm-up that fails only leaves the classes to load when the real program is packed
        }
    }

    /**
     * Waits for the compile step and takes its outputs: null when they are in place, else the result to report
     * (the compile step failed, or never said it ended).
     */
    BuildResult await() throws IOException, InterruptedException {
        if (!active()) {
            if (!takes.isEmpty() || !rootTakes.isEmpty()) {
                return BuildResult.failure(ResultReason.InvalidArguments, "--take and --take-root only apply with"
                        + " --await-compile", null);
            }
            return null;
        }
        Integer exitCode = awaitExitCode(System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos());
        if (exitCode == null) {
            return BuildResult.failure(ResultReason.CompileFailed, "the compile step wrote no exit code to "
                    + exitCodeFile + " within " + timeoutSeconds + "s; nothing was packed", null);
        }
        if (exitCode != 0) {
            return BuildResult.failure(CompileExitCodes.reasonOf(exitCode), "the compile step failed (exit code "
                    + exitCode + "); nothing was packed", null);
        }
        try {
            for (String take : takes) {
                copy(take, "--take", false);
            }
            for (String take : rootTakes) {
                copy(take, "--take-root", true);
            }
        } catch (IllegalArgumentException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, e.getMessage(), null);
        } catch (HandoverException e) {
            return BuildResult.failure(ResultReason.FileError, e.getMessage(), null);
        }
        return null;
    }

    /** The exit code once the step wrote a whole line (the shell's redirection writes it in one go, newline last). */
    private Integer awaitExitCode(long deadline) throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            Integer code = exitCode();
            if (code != null) {
                return code;
            }
            Thread.sleep(POLL.toMillis());
        }
        return exitCode();
    }

    private Integer exitCode() throws IOException {
        String text;
        try {
            text = Files.readString(exitCodeFile, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!text.endsWith("\n")) {
            return null; // not written out yet
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return 1; // the step's own code wrote something else there: that is no success
        }
    }

    private static void copy(String take, String option, boolean keepLinks) throws IOException {
        int eq = take.indexOf('=');
        if (eq <= 0 || eq == take.length() - 1) {
            throw new IllegalArgumentException(option + " must be FROM=TO: " + take);
        }
        Path from = Path.of(take.substring(0, eq));
        Path to = Path.of(take.substring(eq + 1));
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            return; // an output the build did not write: the step that reads it says what is missing
        }
        Path within = from.toAbsolutePath().normalize().getParent();
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                Files.deleteIfExists(target); // an earlier copy (the image's training runs the same command twice)
                if (attrs.isSymbolicLink() && keepLinks) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else if (attrs.isSymbolicLink()) {
                    Files.copy(linkedFile(file, within), target, StandardCopyOption.COPY_ATTRIBUTES);
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE; // a socket or a pipe is nothing to pack
            }
        });
    }

    /**
     * The regular file a link leads to, when it stays in {@code within}: this step holds push credentials, and a
     * link the build planted must not make it pack a file of its own.
     */
    private static Path linkedFile(Path link, Path within) throws IOException {
        Path real;
        try {
            real = link.toRealPath();
        } catch (NoSuchFileException e) {
            throw new HandoverException(link + " is a link to " + Files.readSymbolicLink(link) + ", which does not"
                    + " exist here");
        }
        if (!real.startsWith(within.toRealPath()) || !Files.isRegularFile(real)) {
            throw new HandoverException(link + " is a link to " + Files.readSymbolicLink(link) + ": the compile step"
                    + " hands over regular files, or links to one in " + within);
        }
        return real;
    }

    /** An output the compile step left that cannot be taken as it is. */
    private static final class HandoverException extends IOException {
        HandoverException(String message) {
            super(message);
        }
    }
}
