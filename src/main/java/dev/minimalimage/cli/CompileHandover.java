package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Option;

/**
 * The builder pod's packer starts beside the compile step (or a Dockerfile build's last stage container), not after
 * it: its JVM starts and its registry connection authenticates while the compiler runs. It waits for the step's exit
 * code in {@code --await-compile}, then takes what the step left ({@code --take}, {@code --take-root}) into its own
 * storage, once: a build process still running cannot swap a file between the check and the pack, since both read
 * the copy. (A Dockerfile's packer takes the stages' whole hand-over volume with --take-root.)
 */
final class CompileHandover {

    /** How often the exit-code file is looked for: the whole delay it adds to a build is at most this. */
    private static final Duration POLL = Duration.ofMillis(10);
    /** A code and its newline: anything longer is not what the compile step's wrapper writes. */
    private static final int MAX_EXIT_CODE_BYTES = 16;

    @Option(names = "--await-compile", paramLabel = "FILE", description = { "builder pods: wait until the step",
            "beside (the compile step; build --dockerfile: the last stage) writes its exit code (one line) to FILE;",
            "0 takes its outputs (--take, --take-root), another ends without packing" })
    Path exitCodeFile;

    @Option(names = "--await-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "how long --await-compile waits at most (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--take", paramLabel = "FROM=TO", description = { "with --await-compile: copy FROM (a file or a",
            "directory the compile step wrote) to TO once it ended; a link in it fails the packing" })
    List<String> takes = new ArrayList<>();

    @Option(names = "--take-root", paramLabel = "FROM=TO", description = { "as --take, for a root read with its",
            "links resolved inside it (--bundle-root): its links are copied as links" })
    List<String> rootTakes = new ArrayList<>();

    @Option(names = "--warm-up-after", paramLabel = "FILE", description = { "with --await-compile: start warming up",
            "only once FILE exists (a git build's fetch step, beside the packer, writes its exit code there)" })
    Path warmUpAfter;

    /** What the step the packer waits for is called in its messages (BuildCommand: a Dockerfile's last stage). */
    String step = "the compile step";

    boolean active() {
        return exitCodeFile != null;
    }

    /** What {@link #awaitStep} leaves: the push prepared while the step ran (null: none), or the result that ends it. */
    record Outcome(RegistryPusher.PendingPush push, BuildResult held) {
    }

    /**
     * Starts connecting to the registry (while the step runs, the connection authenticates) and warming up, then
     * waits for the step and takes its outputs. Inactive (no --await-compile): nothing prepared, nothing held.
     */
    Outcome awaitStep(DestinationOptions destination, PrintWriter err) throws IOException, InterruptedException {
        RegistryPusher.PendingPush early = active() ? earlyPush(destination, err) : null;
        if (active()) {
            warmUpMeanwhile();
        }
        BuildResult held = await();
        if (held != null && early != null) {
            early.close();
            early = null;
        }
        return new Outcome(early, held);
    }

    /** Null when there is nothing to push or the destination is refused: the packing reports that itself. */
    private static RegistryPusher.PendingPush earlyPush(DestinationOptions destination, PrintWriter err) {
        try {
            return destination.prepare(message -> err.println("warning: " + message));
        } catch (RuntimeException e) { // the packing starts it again and reports what is wrong
            return null;
        }
    }

    /**
     * While the compiler runs, packs a tiny program into an OCI layout of its own, on a thread of its own: the JVM
     * loads and compiles the ELF reader, the tar and gzip writers and the assembler before the real program is there,
     * so that packing it takes tens of milliseconds, not hundreds. It writes only below java.io.tmpdir (the packer's
     * own /tmp) and reports nothing; the real packing never waits for it.
     */
    private void warmUpMeanwhile() {
        if ("0".equals(System.getenv("MINIMAL_IMAGE_WARM_UP"))) { // bench/handover.sh's baseline
            return;
        }
        Path after = warmUpAfter;
        long deadline = System.nanoTime() + Duration.ofSeconds(Math.max(1, timeoutSeconds)).toNanos();
        Thread warmUp = new Thread(() -> {
            if (after == null || awaitFile(after, deadline)) {
                packTinyProgram();
            }
        }, "warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    /**
     * Whether {@code file} appeared before {@code deadline}. A git build's fetch step is the critical path while it
     * runs, and on a node with few cores the warm-up's CPU would slow it down (the fetch took 4.7 s instead of 2.2 s
     * beside a warming packer on the 2-vCPU test cluster): the warm-up waits for it and overlaps the compile instead.
     */
    private static boolean awaitFile(Path file, long deadline) {
        try {
            while (!Files.exists(file)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(POLL.toMillis());
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
    private BuildResult await() throws IOException, InterruptedException {
        if (!active()) {
            if (!takes.isEmpty() || !rootTakes.isEmpty()) {
                return BuildResult.failure(ResultReason.InvalidArguments, "--take and --take-root only apply with"
                        + " --await-compile", null);
            }
            return null;
        }
        if (timeoutSeconds < 1) {
            return BuildResult.failure(ResultReason.InvalidArguments, "--await-timeout must be at least 1 (seconds): "
                    + timeoutSeconds, null);
        }
        Integer exitCode = awaitExitCode(System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos());
        if (exitCode == null) {
            return BuildResult.failure(ResultReason.CompileFailed, step + " wrote no exit code to "
                    + exitCodeFile + " within " + timeoutSeconds + "s; nothing was packed", null);
        }
        if (exitCode != 0) {
            return BuildResult.failure(CompileExitCodes.reasonOf(exitCode), step + " failed (exit code "
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

    /**
     * The code once the step wrote a whole line. The build could have put anything there (it runs as the same user):
     * only a regular file is read, without following a link, and only its first bytes; anything else is no success.
     */
    private Integer exitCode() throws IOException {
        byte[] head = new byte[MAX_EXIT_CODE_BYTES];
        int read;
        try {
            if (!Files.readAttributes(exitCodeFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isRegularFile()) { // a pipe would block the open, a link lead elsewhere
                return 1;
            }
            try (SeekableByteChannel in = Files.newByteChannel(exitCodeFile, Set.of(StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS))) {
                read = Math.max(0, in.read(java.nio.ByteBuffer.wrap(head)));
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) { // a link (O_NOFOLLOW: ELOOP) or a directory: not the wrapper's line
            return 1;
        }
        String text = new String(head, 0, read, StandardCharsets.US_ASCII);
        if (!text.endsWith("\n")) {
            return read == head.length ? 1 : null; // not written out yet, unless it is too long to be a code
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return 1; // the step's own code wrote something else there: that is no success
        }
    }

    private static void copy(String take, String option, boolean root) throws IOException {
        int eq = take.indexOf('=');
        if (eq <= 0 || eq == take.length() - 1) {
            throw new IllegalArgumentException(option + " must be FROM=TO: " + take);
        }
        Path from = Path.of(take.substring(0, eq)).toAbsolutePath().normalize();
        Path to = Path.of(take.substring(eq + 1));
        if (from.getParent() == null || !Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            return; // an output the build did not write: the step that reads it says what is missing
        }
        Files.createDirectories(to.toAbsolutePath().getParent());
        try (DirectoryStream<Path> parent = Files.newDirectoryStream(from.getParent())) {
            if (!(parent instanceof SecureDirectoryStream<Path> secure)) {
                throw new HandoverException("this file system cannot open " + from + " safely (no openat)");
            }
            BasicFileAttributes top = attributes(secure, from.getFileName());
            if (root && !top.isDirectory()) { // a root given as a link could name any directory of this step's
                throw new HandoverException(from + " is not a directory");
            }
            new TreeCopy(root).entry(secure, from.getFileName(), from, to);
        }
    }

    /**
     * A copy that never resolves a path by name again: each directory is opened relative to the one it is in, and
     * each file is opened without following a link, so a build process that swaps an entry for a link meanwhile
     * makes the copy fail, never read elsewhere. In a root ({@code --take-root}) links are copied as links (the root
     * is read with its links resolved inside it); elsewhere a link is refused.
     */
    private record TreeCopy(boolean root) {

        void entry(SecureDirectoryStream<Path> dir, Path name, Path shown, Path to) throws IOException {
            BasicFileAttributes attrs = attributes(dir, name);
            if (attrs.isDirectory()) {
                Files.createDirectories(to);
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    for (Path child : sub) {
                        Path childName = child.getFileName();
                        entry(sub, childName, shown.resolve(childName), to.resolve(childName.toString()));
                    }
                }
            } else if (attrs.isSymbolicLink() && root) {
                Files.deleteIfExists(to); // an earlier copy (the image's training runs the same command twice)
                Files.createSymbolicLink(to, Files.readSymbolicLink(shown));
            } else if (attrs.isSymbolicLink()) {
                throw new HandoverException(shown + " is a symbolic link (to " + Files.readSymbolicLink(shown)
                        + "): the compile step hands over regular files; copy the file there, do not link it");
            } else if (attrs.isRegularFile()) {
                regularFile(dir, name, attrs, to);
            } // a socket or a pipe is nothing to pack
        }

        private static void regularFile(SecureDirectoryStream<Path> dir, Path name, BasicFileAttributes attrs, Path to)
                throws IOException {
            Files.deleteIfExists(to);
            try (SeekableByteChannel in = dir.newByteChannel(name, Set.of(StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)); java.io.InputStream stream = Channels.newInputStream(in)) {
                Files.copy(stream, to);
            }
            PosixFileAttributes posix = dir.getFileAttributeView(name, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            Files.setPosixFilePermissions(to, posix.permissions());
            Files.setLastModifiedTime(to, attrs.lastModifiedTime());
        }
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
    }

    /** An output the compile step left that cannot be taken as it is. */
    private static final class HandoverException extends IOException {
        HandoverException(String message) {
            super(message);
        }
    }
}
