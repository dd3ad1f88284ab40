package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.image.closure.BundleResolver;
import dev.minimalimage.image.closure.Closure;
import dev.minimalimage.image.closure.MissingLibraryException;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Bundle mode across two machines (or containers): where the program was compiled, copy what `package --bundle`
 * would take from the system root into a directory at the same paths; `package --bundle --bundle-root DIR` elsewhere
 * then finds the same loader and libraries there. The operator's compile step runs it in the toolchain image, which
 * holds the libraries, for the package step, which runs in the builder image and does not.
 */
@Command(name = "stage-bundle", mixinStandardHelpOptions = true,
        description = { "Copies what `package --bundle` would take for BINARY from --root into --to.",
                "That is the loader, the shared libraries (for glibc name lookups also old NSS modules), at their paths",
                "in the root, plus the loader's search-path configuration.",
                "A static binary needs nothing: the directory stays empty.",
                "Exit 10 if a library cannot be found (naming it and the directories searched), 3 for a file that is",
                "not valid ELF." })
final class StageBundleCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BINARY", description = "the compiled program")
    Path binary;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "where the copy of the root goes")
    Path to;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "the system root (default /)")
    Path root;

    @Option(names = "--extra-library", paramLabel = "NAME_OR_PATH", description = { "a library the program",
            "dlopen()s without declaring it: a SONAME or a path in the root (repeatable)" })
    List<String> extraLibraries = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        LinkReport link;
        try {
            link = ElfLinkAnalyzer.analyze(binary);
        } catch (ElfFormatException e) {
            err.println("error: cannot bundle: " + binary + ": " + e.getMessage());
            return ResultReason.UnsupportedBinary.exitCode();
        }
        try {
            if (link.verdict() != Verdict.Dynamic) { // the package step packs it as it is, or refuses it with the reason
                err.println("stage-bundle: " + binary + " is " + link.verdict() + ": nothing to bundle");
                return ExitCodes.OK;
            }
            Closure closure = BundleResolver.fromRoot(binary, root, extraLibraries);
            closure.copyTo(to);
            closure.copyConfigurationTo(to);
            err.println("stage-bundle: staged " + closure.files().size() + " files for " + binary + " in " + to);
            return ExitCodes.OK;
        } catch (MissingLibraryException e) {
            err.println("error: cannot bundle: " + e.getMessage());
            return CompileExitCodes.STAGED_LIBRARY_MISSING;
        } catch (ElfFormatException e) {
            err.println("error: cannot bundle: " + e.getMessage()); // the closure's reader names the broken file
            return ResultReason.UnsupportedBinary.exitCode();
        }
    }
}
