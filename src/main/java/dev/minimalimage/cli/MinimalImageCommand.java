package dev.minimalimage.cli;

import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

@Command(name = "minimal-image", mixinStandardHelpOptions = true, version = "minimal-image 0.1.0",
        description = "Checks that binaries are truly static and ships them FROM scratch to a registry.",
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

    /**
     * Present only in the operator image (and the development jar): the builder image carries the CLI's classes and
     * the libraries they need, no Quarkus and no Kubernetes client, so `operator` must not be resolved there.
     */
    private static final String QUARKUS = "io.quarkus.runtime.Quarkus";

    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, CommandLine.defaultFactory(), args);
    }

    /** The subcommands in the order the help lists them ({@code operator} and {@code help} are added to them). */
    static final List<Class<?>> SUBCOMMANDS = List.of(InspectCommand.class, PackageCommand.class, BuildCommand.class,
            FetchCommand.class, PackageTreeCommand.class, ClosureCommand.class, StageBundleCommand.class,
            StageRuntimeCommand.class, RunStageCommand.class);

    /** {@code factory} creates the subcommands (tests hand some of them stand-ins for host facilities). */
    static int run(PrintWriter out, PrintWriter err, CommandLine.IFactory factory, String... args) {
        return commandLine(out, err, factory, args).execute(args);
    }

    /**
     * The command line for {@code args}. When they start with a subcommand's name, only that subcommand is built:
     * picocli instantiates every subcommand it knows and reflects over its fields, which loads their classes (JGit
     * from a signed jar, Jackson) and costs a short-lived `package` step a good part of its JVM start.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, CommandLine.IFactory factory, String... args) {
        CommandLine cli = new CommandLine(new MinimalImageCommand(), factory);
        List<Class<?>> subcommands = subcommandsFor(args);
        for (Class<?> subcommand : subcommands) {
            cli.addSubcommand(new CommandLine(subcommand, factory));
        }
        if (subcommands == SUBCOMMANDS) {
            cli.addSubcommand(quarkusPresent() ? new CommandLine(OperatorCommand.class, factory)
                    : new CommandLine(new OperatorAbsent(), factory));
            cli.addSubcommand(new CommandLine(CommandLine.HelpCommand.class, factory));
        }
        return configure(cli, out, err); // the settings apply to the subcommands present
    }

    /** The one named by {@code args[0]}, or all (for the help, `help CMD`, `operator` and usage errors). */
    private static List<Class<?>> subcommandsFor(String... args) {
        for (Class<?> subcommand : SUBCOMMANDS) {
            if (args.length > 0 && subcommand.getAnnotation(Command.class).name().equals(args[0])) {
                return List.of(subcommand);
            }
        }
        return SUBCOMMANDS;
    }

    private static CommandLine configure(CommandLine cli, PrintWriter out, PrintWriter err) {
        cli.setOut(out).setErr(err)
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
        return cli;
    }

    /**
     * Whether Quarkus can be loaded. OperatorCommand names Quarkus only in its body, so the JVM loads neither class
     * unless `operator` runs; this check keeps a builder image from offering a command it cannot run.
     */
    static boolean quarkusPresent() {
        try {
            Class.forName(QUARKUS, false, MinimalImageCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** `operator` in the builder image: one clear line instead of picocli's "Unknown subcommand". */
    @Command(name = "operator", hidden = true, description = "Not in this image: the operator image runs it.")
    static final class OperatorAbsent implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Unmatched
        List<String> ignored;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("error: operator: this is the builder image (the CLI without Quarkus or a"
                    + " Kubernetes client); the operator runs from the operator image");
            return ExitCodes.BAD_ARGUMENTS;
        }
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
