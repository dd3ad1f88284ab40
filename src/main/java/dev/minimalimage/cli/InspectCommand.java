package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.Hazard;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.sbom.BinaryInventory;
import dev.minimalimage.sbom.BinaryReader;
import dev.minimalimage.sbom.CycloneDxSbom;
import dev.minimalimage.sbom.SbomInputs;
import dev.minimalimage.sbom.SbomSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Reads ELF files without executing them and says whether each runs on an empty (scratch) root.",
        footer = { "", "Each report starts with FILE: VERDICT, its details indented below. Exit code 0 when every file",
                "was read, else 2 (the other files are still reported)." })
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "The files to inspect.")
    List<Path> files;

    @Option(names = "--json", description = "Print one JSON object per file and line (JSON lines), with its name in \"file\".")
    boolean json;

    @Option(names = "--sbom", description = "Instead of the reports, print one CycloneDX 1.6 JSON SBOM listing each FILE "
            + "with its sha256 and what was linked into it (Go modules, Rust crates, C library); see docs/sbom.md.")
    boolean sbom;

    @Option(names = "--toolchain-root", paramLabel = "DIR", description = "With --sbom: the root of the toolchain "
            + "that linked the files (its dpkg database gives the static libraries' versions), e.g. / on the build "
            + "machine. Without it those versions are reported as unknown.")
    Path toolchainRoot;

    @Option(names = "--cargo-lock", paramLabel = "FILE", description = "With --sbom: the source's Cargo.lock, for "
            + "Rust binaries without a cargo-auditable .dep-v0 section.")
    Path cargoLock;

    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        if (sbom) {
            return printSbom();
        }
        if (toolchainRoot != null || cargoLock != null) {
            return failed("--toolchain-root and --cargo-lock only apply with --sbom");
        }
        PrintWriter out = spec.commandLine().getOut();
        int exit = ExitCodes.OK;
        for (Path file : files) {
            String unreadable = FileErrors.unreadableFile(file);
            if (unreadable != null) {
                exit = failed(unreadable);
                continue;
            }
            LinkReport report;
            try {
                report = ElfLinkAnalyzer.analyze(file);
            } catch (ElfFormatException e) {
                exit = failed(file + ": " + e.getMessage());
                continue;
            } catch (IOException e) {
                exit = failed(FileErrors.describe(file, e));
                continue;
            }
            if (json) {
                out.println(jsonLine(file, report));
            } else {
                printHuman(out, file, report);
            }
            out.flush();
        }
        return exit;
    }

    /** One SBOM for all files; nothing on stdout unless every file was read, so a partial SBOM is never taken. */
    private int printSbom() {
        if (json) {
            return failed("--sbom and --json are two output formats; choose one");
        }
        SbomInputs inputs = new SbomInputs(Optional.ofNullable(toolchainRoot), Optional.ofNullable(cargoLock));
        List<BinaryInventory> binaries = new ArrayList<>();
        int exit = ExitCodes.OK;
        for (Path file : files) {
            String unreadable = FileErrors.unreadableFile(file);
            if (unreadable != null) {
                exit = failed(unreadable);
                continue;
            }
            try {
                binaries.add(BinaryReader.read(file, file.toString(), inputs));
            } catch (ElfFormatException e) {
                exit = failed(file + ": " + e.getMessage());
            } catch (IOException e) {
                exit = failed(FileErrors.describe(file, e));
            }
        }
        if (exit != ExitCodes.OK) {
            return exit;
        }
        String name = files.size() == 1 ? files.get(0).getFileName().toString() : "binaries";
        PrintWriter out = spec.commandLine().getOut();
        out.println(CycloneDxSbom.write(name, SbomSource.UNKNOWN, binaries, List.of()).text());
        out.flush();
        return ExitCodes.OK;
    }

    /** Reported on stderr in the order of the files; stdout keeps only reports, so it stays parseable. */
    private int failed(String message) {
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().println("error: " + message);
        spec.commandLine().getErr().flush();
        return ExitCodes.BAD_ARGUMENTS;
    }

    private static String jsonLine(Path file, LinkReport report) {
        ObjectNode line = JSON.createObjectNode().put("file", file.toString());
        line.setAll((ObjectNode) JSON.valueToTree(report));
        return line.toString();
    }

    private static void printHuman(PrintWriter out, Path file, LinkReport r) {
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
