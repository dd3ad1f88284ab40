package dev.minimalimage.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import dev.minimalimage.result.BuildResult;
import picocli.CommandLine;

/** One in-process run of the command line, with everything it printed. */
public record CliRun(int exitCode, String stdout, String stderr) {

    public static CliRun of(String... args) {
        return of(CommandLine.defaultFactory(), args);
    }

    /** A run whose commands {@code factory} creates (to hand them stand-ins for host facilities). */
    static CliRun of(CommandLine.IFactory factory, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MinimalImageCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), factory, args);
        return new CliRun(code, out.toString(), err.toString());
    }

    public BuildResult result() {
        try {
            return BuildResult.parse(stdout.strip().lines().reduce((a, b) -> b).orElseThrow());
        } catch (Exception e) {
            throw new AssertionError("stdout holds no result record: " + stdout + stderr, e);
        }
    }

    public String all() {
        return stdout + stderr;
    }
}
