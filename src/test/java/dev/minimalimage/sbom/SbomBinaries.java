package dev.minimalimage.sbom;

import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Fixtures;
import dev.minimalimage.testsupport.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Real binaries for the SBOM tests, built offline from the sbom-* fixtures. */
final class SbomBinaries {

    static final String GO_FIXTURE = "sbom-go-two-deps";

    private SbomBinaries() {
    }

    /** The two-vendored-dependency Go program (one replaced), cgo off, -mod=vendor, no network; no -trimpath, which would hide -ldflags. */
    static Path goTwoDeps(Path dir, String... ldflags) {
        Compilers.requireTool("go");
        Path source = copy(Fixtures.ROOT.resolve(GO_FIXTURE), dir.resolve("src"));
        Path output = dir.resolve("hello").toAbsolutePath();
        List<String> command = new java.util.ArrayList<>(List.of("go", "build"));
        command.addAll(List.of(ldflags));
        command.addAll(List.of("-o", output.toString(), "."));
        Processes.run(Compilers.TIMEOUT, command, Map.of("CGO_ENABLED", "0", "GOFLAGS", "-mod=vendor",
                "GOPROXY", "off", "GO111MODULE", "on", "GOCACHE", dir.resolve("go-cache").toAbsolutePath().toString(),
                "GOPATH", dir.resolve("go-path").toAbsolutePath().toString()), source).requireSuccess("go build");
        return output;
    }

    static Path copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
