package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * dev.minimalimage.Main in a JVM of its own, on this test's class path: for what cannot run in-process (`operator`
 * boots Quarkus, Main ends in System.exit) or needs other privileges than the test's ({@code wrapper}: e.g. setpriv).
 */
record MainProcess(int exitCode, String stdout, String stderr) {

    /** A JVM start on a loaded 2-core machine, with room to spare. */
    static final Duration LIMIT = Duration.ofSeconds(60);

    /**
     * Runs {@code wrapper} (may be empty) + java + Main + {@code args}, its output files in {@code scratch};
     * {@code environment} is changed in place before the start (names removed, values put).
     */
    static MainProcess run(Path scratch, List<String> wrapper, java.util.function.Consumer<Map<String, String>> environment,
            String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.minimalimage.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        environment.accept(builder.environment());
        Process process = builder.start();
        if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", args) + " still running after " + LIMIT + ": "
                    + Files.readString(err));
        }
        return new MainProcess(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    String all() {
        return stdout + stderr;
    }
}
