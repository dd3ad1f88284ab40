package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.minimalimage.sbom.SbomInputs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "package", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Packs a static binary FROM scratch into a reproducible OCI image and delivers it.",
                "It pushes to a registry (--image) or writes an OCI layout (--oci-layout, --oci-archive).",
                "It prints a JSON result record on stdout." })
final class PackageCommand implements Callable<Integer> {

    @Parameters(paramLabel = "BINARY", description = "the executable to ship")
    Path binary;

    @Mixin
    PackageOptions options;

    @Option(names = "--toolchain-root", paramLabel = "DIR", description = "For the SBOM (--oci-layout): the root of "
            + "the toolchain that linked BINARY; its dpkg database gives the static libraries' versions.")
    Path toolchainRoot;

    @Option(names = "--cargo-lock", paramLabel = "FILE", description = "For the SBOM (--oci-layout): the source's "
            + "Cargo.lock, for a Rust binary without a cargo-auditable .dep-v0 section.")
    Path cargoLock;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        return new Packaging(binary, options, spec)
                .withSbomInputs(new SbomInputs(Optional.ofNullable(toolchainRoot), Optional.ofNullable(cargoLock)))
                .run();
    }
}
