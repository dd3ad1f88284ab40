package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.regex.Pattern;

import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.ImageConfig;
import dev.minimalimage.image.ImageRootfs;
import dev.minimalimage.image.RuntimeConfig;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.OutputTail;
import dev.minimalimage.result.SmokeTestJudgement;
import dev.minimalimage.result.SmokeTestResult;

/**
 * `build --smoke-test`: the delivered image, unpacked from its own layer blobs into an otherwise empty root, run once
 * as a runtime would start it (Entrypoint, the test's arguments instead of Cmd, only the image's Env, its WorkingDir,
 * user and the group a runtime gives that user) in a {@link Sandbox}, from a root nobody may write to, like the
 * operator's smoke-test pod with its read-only root. The verdict follows spec.verify.smokeTest: the exit code, then
 * the output pattern. A host that cannot provide the sandbox skips the test instead of failing the build.
 */
final class LocalSmokeRun {

    /** {@code args} empty: the image's own Cmd; {@code outputPattern} null: any output. */
    record Plan(List<String> args, int expectedExitCode, Pattern outputPattern, long timeoutSeconds,
            boolean optional) {
    }

    /** How much of the end of the output is read: more than the tail keeps, so its lines are whole. */
    private static final int OUTPUT_BYTES = 64 * 1024;

    private final Plan plan;
    private final Sandbox sandbox;
    private final PrintWriter err;

    LocalSmokeRun(Plan plan, Sandbox sandbox, PrintWriter err) {
        this.plan = plan;
        this.sandbox = sandbox;
        this.err = err;
    }

    /** {@code delivered} with the test's outcome; reported on stderr too. */
    BuildResult verify(AssembledImage image, BuildResult delivered) throws IOException, InterruptedException {
        SmokeTestResult test = run(image);
        if (!test.ran() && plan.optional()) {
            err.println("warning: smoke test skipped: " + test.message());
        } else if (!test.failed()) {
            err.println("smoke test passed: " + test.message());
        } // a failure, or a test that could not run, is the result's own error line
        err.flush();
        return delivered.withSmokeTest(test, !plan.optional());
    }

    private SmokeTestResult run(AssembledImage image) throws IOException, InterruptedException {
        RuntimeConfig config = RuntimeConfig.of(image);
        String workingDir = config.workingDir() == null ? "/" : config.workingDir();
        Path emulator = null;
        String architecture = Emulation.architectureOf(image);
        if (!architecture.isEmpty() && !architecture.equals(Emulation.hostArchitecture())) {
            StringBuilder whyNot = new StringBuilder();
            emulator = Emulation.emulatorFor(architecture, sandbox.searchPath(), whyNot).orElse(null);
            if (emulator == null) {
                return SmokeTestResult.skipped(whyNot.toString());
            }
        }
        Path root = Files.createTempDirectory("minimal-image-smoke-root");
        Path log = Files.createTempFile("minimal-image-smoke", ".log"); // outside the root: the program cannot see it
        try {
            Sandbox.User user;
            try {
                unpack(image, root, workingDir, emulator);
                user = Sandbox.User.of(config.user() == null ? "" : config.user(), root);
            } catch (IOException e) {
                return SmokeTestResult.skipped("cannot unpack the image here: " + e.getMessage());
            }
            if (user == null) {
                return SmokeTestResult.skipped("the image's user " + config.user() + " is not numeric (UID[:GID]);"
                        + " only its /etc/passwd could say who that is");
            }
            String unavailable = sandbox.unavailable(user);
            if (unavailable != null) {
                return SmokeTestResult.skipped("this host cannot run the image from an empty root: " + unavailable);
            }
            List<String> argv = argv(config);
            if (emulator != null) {
                argv.add(0, Emulation.PATH_IN_ROOT);
            }
            Integer exitCode = execute(sandbox.command(root, workingDir, user, argv), config.env(), log);
            SmokeTestResult test = verdict(exitCode, OutputTail.of(lastBytes(log)), user);
            return emulator == null ? test : new SmokeTestResult(test.ran(), test.passed(), test.exitCode(),
                    test.output(), test.runAs(), test.message() + " (" + architecture + ", emulated by "
                            + emulator.getFileName() + ")");
        } finally {
            remove(root);
            Files.deleteIfExists(log);
        }
    }

    /**
     * The layers; a root and a WorkingDir the image's user may enter (a temp directory is 0700, the root's 0755);
     * then no write bits anywhere, since the operator's smoke-test pod has a read-only root.
     */
    private static void unpack(AssembledImage image, Path root, String workingDir, Path emulator)
            throws IOException {
        ImageRootfs.materialize(image, root);
        Files.setAttribute(root, "unix:mode", 0755);
        ImageRootfs.ensureDirectory(root, workingDir);
        if (emulator != null) { // a foreign binary runs as the emulator's argument, inside the same empty root
            Path inRoot = root.resolve(Emulation.PATH_IN_ROOT.substring(1));
            Files.copy(emulator, inRoot);
            Files.setAttribute(inRoot, "unix:mode", 0555);
        }
        makeReadOnly(root);
    }

    /**
     * Takes the write bits off every directory and regular file, links not followed, except the image's /tmp (the
     * pod mounts a writable emptyDir there). In the pod the files belong to root and the root file system is
     * read-only; here they belong to the caller, whom an unprivileged sandbox maps to the image's user, who could
     * otherwise write to /app. A write fails with EACCES where the pod says EROFS (only a program that chmods its own
     * files back could still write).
     */
    private static void makeReadOnly(Path root) throws IOException {
        Path tmp = root.resolve(ImageConfig.Extras.TMP_PATH.substring(1));
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(tmp)) {
                    return FileVisitResult.SKIP_SUBTREE; // as the image made it (1777 from --tmp)
                }
                changeMode(dir, mode -> mode & ~0222);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    changeMode(file, mode -> mode & ~0222);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Keeps setuid, setgid and sticky bits; only for what the walk, not following links, saw as no link. */
    private static void changeMode(Path path, IntUnaryOperator change) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        Files.setAttribute(path, "unix:mode", change.applyAsInt(mode));
    }

    private List<String> argv(RuntimeConfig config) {
        List<String> argv = new ArrayList<>(config.entrypoint());
        argv.addAll(plan.args().isEmpty() ? config.cmd() : plan.args());
        return argv;
    }

    /** Runs the sandboxed program with only the image's environment; its exit code, or null when it was killed. */
    private Integer execute(List<String> command, List<String> env, Path log) throws IOException,
            InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()) // a file, so a chatty program never blocks on a full pipe
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        environment.clear();
        env.forEach(e -> environment.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        Process process = builder.start();
        if (process.waitFor(plan.timeoutSeconds(), TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(); // --kill-child: its PID namespace, and so every process in it, ends too
        return null;
    }

    private SmokeTestResult verdict(Integer exitCode, String output, Sandbox.User user) {
        String as = user.rootReplaced() ? "; ran as " + user + " instead of root, like the operator's smoke-test pod"
                : "";
        if (exitCode == null) {
            return failed(null, output, user, "did not exit within --smoke-timeout (" + plan.timeoutSeconds()
                    + "s) and was killed" + as + outputNote(output));
        }
        SmokeTestJudgement judged = SmokeTestJudgement.of(exitCode, plan.expectedExitCode(), plan.outputPattern(),
                "--smoke-output-pattern", output);
        if (!judged.passed()) {
            return failed(exitCode, output, user, judged.summary() + (judged.exitCodeWrong()
                    ? startNote(exitCode, output) : "") + as + outputNote(output));
        }
        return SmokeTestResult.verdict(true, exitCode, output, user.toString(), judged.summary() + as);
    }

    private static SmokeTestResult failed(Integer exitCode, String output, Sandbox.User user, String message) {
        return SmokeTestResult.verdict(false, exitCode, output, user.toString(), message);
    }

    /** unshare exits 127 when exec(2) fails with ENOENT: for a file that is there, its ELF interpreter is not. */
    private static String startNote(int exitCode, String output) {
        return exitCode == 127 && output != null && output.contains("No such file or directory")
                ? " (it could not be started: no such file or directory; a dynamically linked binary finds no"
                        + " interpreter on scratch, or --path names no file)" : "";
    }

    private static String outputNote(String output) {
        return output == null ? "; no output" : "; output:\n" + output;
    }

    private static String lastBytes(Path log) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - OUTPUT_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Deletes the root without following its links; what the program left behind goes too. */
    private void remove(Path root) {
        try {
            Trees.delete(root);
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("warning: smoke test root " + root + " not fully removed: " + e.getMessage());
        }
    }
}
