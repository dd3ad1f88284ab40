package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.image.closure.Closure;
import dev.minimalimage.image.closure.LibraryClosure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "closure", mixinStandardHelpOptions = true,
        description = { "Lists the shared libraries and program interpreter that ELF files need under a system root.",
                "It finds them as the loader would, by reading ELF headers only. Directories are walked for ELF files." })
final class ClosureCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "ELF files or directories")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "system root to resolve in (default ${DEFAULT-VALUE})")
    Path root;

    @Option(names = "--json", description = "print files and resolutions as JSON")
    boolean json;

    @Option(names = "--copy-to", paramLabel = "DIR", description = "also copy the closure into DIR at its image paths (links kept)")
    Path copyTo;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Closure closure;
        try {
            closure = LibraryClosure.resolve(inputs, root);
        } catch (ElfFormatException | IOException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return ExitCodes.BAD_ARGUMENTS;
        }
        if (copyTo != null) {
            closure.copyTo(copyTo);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("root", closure.root().toString());
            report.put("files", closure.files().values());
            report.put("resolutions", closure.resolutions());
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            for (Closure.Entry entry : closure.files().values()) {
                out.println(entry.isSymlink() ? entry.path() + " -> " + entry.linkTarget() : entry.path());
            }
        }
        return ExitCodes.OK;
    }
}
