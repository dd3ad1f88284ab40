package dev.minimalimage.cli;

import java.io.PrintWriter;
import java.nio.file.FileSystemException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "minimal-image", mixinStandardHelpOptions = true, version = "minimal-image 0.1.0",
        description = "Checks that binaries are truly static and ships them FROM scratch to a registry.",
        subcommands = { InspectCommand.class, PackageCommand.class, BuildCommand.class, FetchCommand.class,
                PackageTreeCommand.class, ClosureCommand.class, StageBundleCommand.class,
                StageRuntimeCommand.class, OperatorCommand.class, CommandLine.HelpCommand.class },
        footer = { "", "Exit codes:",
                "   0  ok                                 1  internal error",
                "   2  bad arguments, or a file that cannot be read or written",
                "   3  binary refused (not static, not ELF, a library to bundle missing)",
                "   4  registry authentication failed",
                "   5  registry unreachable (for all of --registry-retry-timeout), or its TLS failed",
                "   6  registry rejected the push         7  git fetch failed (fetch)",
                "   8  compile failed (build)             9  smoke test failed (build --smoke-test)",
                "  10  a library to bundle not found (stage-bundle)",
                "  11  smoke test asked for, but this host cannot run it (build --smoke-test)",
                "See docs/cli.md for every command, option and the result record." })
public final class MinimalImageCommand {

    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, CommandLine.defaultFactory(), args);
    }

    /** {@code factory} creates the subcommands (tests hand some of them stand-ins for host facilities). */
    static int run(PrintWriter out, PrintWriter err, CommandLine.IFactory factory, String... args) {
        CommandLine cli = new CommandLine(new MinimalImageCommand(), factory).setOut(out).setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true) // --language c, --compression zstd
                .setAllowOptionsAsOptionParameters(true) // --cmd=--help, --arg=--verbose: values, not options
                .setExpandAtFiles(false); // an argument "@x" is the string @x, never the contents of a file x
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof FileSystemException file) { // a file the command could not read or write
                cmd.getErr().println("error: " + FileErrors.describe(null, file));
                return ExitCodes.BAD_ARGUMENTS;
            }
            if (e instanceof FileProblem) {
                cmd.getErr().println("error: " + e.getMessage());
                return ExitCodes.BAD_ARGUMENTS;
            }
            cmd.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("MINIMAL_IMAGE_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return e instanceof IllegalArgumentException ? ExitCodes.BAD_ARGUMENTS : ExitCodes.INTERNAL;
        });
        cli.setParameterExceptionHandler(MinimalImageCommand::usageError);
        return cli.execute(args);
    }

    /** The error and where help is; the whole usage would scroll the error out of sight. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.BAD_ARGUMENTS;
    }
}
