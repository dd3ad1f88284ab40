package dev.minimalimage.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds real binaries for tests with the toolchains installed by scripts/setup-deps.sh. Every build writes
 * its source next to the output in the given directory and fails with the compiler's own messages.
 */
public final class Compilers {

    public static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String SETUP_HINT = "run scripts/setup-deps.sh to install the test toolchains";

    private Compilers() {
    }

    /** Compiles one C file with gcc. */
    public static Path gcc(Path dir, String name, String source, String... flags) {
        return compile("gcc", dir, name, ".c", source, flags);
    }

    /** Compiles one C file with Debian's musl-gcc wrapper. */
    public static Path muslGcc(Path dir, String name, String source, String... flags) {
        return compile("musl-gcc", dir, name, ".c", source, flags);
    }

    /** Compiles one C++ file with g++. */
    public static Path gxx(Path dir, String name, String source, String... flags) {
        return compile("g++", dir, name, ".cpp", source, flags);
    }

    /**
     * Builds a single-file Go program (GOPATH mode: stdlib only, no module proxy needed) with CGO_ENABLED set
     * explicitly; build cache and GOPATH live under {@code dir} so nothing leaks into the user's setup.
     */
    public static Path go(Path dir, String name, String source, boolean cgo, String... buildFlags) {
        requireTool("go");
        Path workDir = writeSource(dir.resolve(name + "-src"), "main.go", source).getParent();
        Path output = dir.resolve(name).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("go", "build", "-o", output.toString()));
        command.addAll(List.of(buildFlags));
        command.add("main.go");
        run(command, workDir, Map.of("CGO_ENABLED", cgo ? "1" : "0", "GO111MODULE", "off", "GOFLAGS", "",
                "GOCACHE", dir.resolve("go-cache").toAbsolutePath().toString(),
                "GOPATH", dir.resolve("go-path").toAbsolutePath().toString()));
        return output;
    }

    /** Compiles one Rust file with rustc; callers check {@link #hasRustc()} first (rustc is optional). */
    public static Path rustc(Path dir, String name, String source, String... flags) {
        Path rustc = findRustc().orElseThrow(() -> new AssertionError("rustc not found; guard with hasRustc()"));
        Path sourceFile = writeSource(dir, name + ".rs", source);
        Path output = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(rustc.toString()));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", output.toString(), sourceFile.toString()));
        run(command, dir, Map.of());
        return output;
    }

    /** Fails (never skips): these tools are part of the documented test setup. */
    public static void requireTool(String tool) {
        if (findOnPath(tool).isEmpty()) {
            throw new AssertionError(tool + " is not on PATH; " + SETUP_HINT);
        }
    }

    /** rustc is optional (not installed by setup-deps.sh): Rust tests use assumptions on this. */
    public static boolean hasRustc() {
        return findRustc().isPresent();
    }

    static Optional<Path> findRustc() {
        Optional<Path> onPath = findOnPath("rustc");
        if (onPath.isPresent()) {
            return onPath;
        }
        String home = System.getProperty("user.home", "");
        return Stream.of(Path.of(home, ".cargo", "bin", "rustc"), Path.of("/root/.cargo/bin/rustc"))
                .filter(Files::isExecutable).findFirst();
    }

    static Optional<Path> findOnPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst();
    }

    private static Path compile(String compiler, Path dir, String name, String extension, String source,
            String... flags) {
        requireTool(compiler);
        Path sourceFile = writeSource(dir, name + extension, source);
        Path output = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(compiler));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", output.toString(), sourceFile.toString()));
        run(command, dir, Map.of());
        return output;
    }

    private static Path writeSource(Path dir, String fileName, String source) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(fileName), source, StandardCharsets.UTF_8);
            return dir.resolve(fileName);
        } catch (IOException e) {
            throw new AssertionError("cannot write " + fileName + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Runs a build with a bounded wait; output goes to files so a chatty compiler cannot block on a pipe. */
    private static void run(List<String> command, Path workDir, Map<String, String> env) {
        try {
            Path log = Files.createTempFile(workDir, "build", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("build timed out after " + TIMEOUT + ": " + String.join(" ", command));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                throw new AssertionError("build failed (exit " + process.exitValue() + "): "
                        + String.join(" ", command) + "\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + " (" + SETUP_HINT + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building with " + command.get(0), e);
        }
    }
}
