package dev.minimalimage.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program with a bounded wait and captures its output. */
public final class Processes {

    public record Result(int exitCode, String stdout, String stderr) {
        public Result requireSuccess(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed with exit code " + exitCode + ":\n" + stderr + stdout);
            }
            return this;
        }
    }

    private Processes() {
    }

    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, command, Map.of(), null);
    }

    public static Result run(Duration timeout, List<String> command, Map<String, String> env, Path workDir) {
        try {
            Path out = Files.createTempFile("proc", ".out");
            Path err = Files.createTempFile("proc", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().putAll(env);
                if (workDir != null) {
                    builder.directory(workDir.toFile());
                }
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError("timed out after " + timeout + ": " + command);
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static boolean onPath(String tool) {
        return run(Duration.ofSeconds(10), List.of("sh", "-c", "command -v " + tool)).exitCode() == 0;
    }

    /** Fails (never skips) when a tool that scripts/setup-deps.sh installs is missing. */
    public static void requireOnPath(String... tools) {
        for (String tool : tools) {
            if (!onPath(tool)) {
                throw new AssertionError(tool + " is missing: run scripts/setup-deps.sh first");
            }
        }
    }
}
