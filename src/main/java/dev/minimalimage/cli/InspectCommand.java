package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.Hazard;
import dev.minimalimage.elf.LinkReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Reads an ELF file without executing it and says whether it runs on an empty (scratch) root.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the file to inspect")
    Path file;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        LinkReport report;
        try {
            report = ElfLinkAnalyzer.analyze(file);
        } catch (ElfFormatException | IOException e) {
            spec.commandLine().getErr().println("error: " + file + ": " + e.getMessage());
            return ExitCodes.BAD_ARGUMENTS;
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            printHuman(out, report);
        }
        return ExitCodes.OK;
    }

    private void printHuman(PrintWriter out, LinkReport r) {
        out.printf("%s: %s%n", file, r.verdict());
        out.printf("  %s%n", r.explanation());
        if (r.elfClass() != null) {
            out.printf("  class %s, %s endian, machine %s, type %s%n", r.elfClass(), r.byteOrder(), r.machine(), r.type());
            out.printf("  interpreter: %s%n", r.interpreter() == null ? "(none)" : r.interpreter());
            out.printf("  needed:      %s%n", r.needed().isEmpty() ? "(none)" : String.join(", ", r.needed()));
            out.printf("  libc:        %s%n", r.libc());
        }
        for (Hazard h : r.hazards()) {
            out.printf("  hazard %s: %s%n", h.kind(), h.message());
        }
    }
}
