package dev.minimalimage.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.minimalimage.image.Platform;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.result.BuildResult;
import picocli.CommandLine;

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

    @Parameters(paramLabel = "BINARY", arity = "0..1", description = "the executable to ship")
    Path binary;

    @Option(names = "--platform", paramLabel = "OS/ARCH", description = { "the platform BINARY was built for",
            "(linux/amd64, linux/arm64): its ELF machine must match (PlatformMismatch otherwise)" })
    String platform;

    @Option(names = "--binary-for", paramLabel = "OS/ARCH=FILE", description = { "instead of BINARY: one binary per",
            "platform (repeatable), packed into one OCI image index in this order (docs/platforms.md)" })
    List<String> binariesFor = new ArrayList<>();

    @Mixin
    PackageOptions options;

    @Mixin
    CompileHandover handover;

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
        SbomInputs sbomInputs = new SbomInputs(Optional.ofNullable(toolchainRoot), Optional.ofNullable(cargoLock));
        if ((binary == null) == binariesFor.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "name the executable: BINARY, or"
                    + " --binary-for OS/ARCH=FILE for each platform of a multi-platform image (not both)");
        }
        // the registry connection authenticates while the compile step still runs
        CompileHandover.Outcome handedOver = handover.awaitStep(options, spec.commandLine().getErr());
        if (handedOver.held() != null) {
            return new Packaging(null, options, spec).report(handedOver.held());
        }
        RegistryPusher.PendingPush early = handedOver.push();
        if (binary != null) {
            return new Packaging(binary, options, spec).withSbomInputs(sbomInputs).withPreparedPush(early)
                    .forPlatform(platform == null ? null : Platform.parse(platform)).run();
        }
        if (platform != null) {
            throw new IllegalArgumentException("--platform names BINARY's platform; --binary-for names each one's");
        }
        Map<Platform, Path> binaries = binariesByPlatform();
        if (binaries.size() == 1) { // one platform is a plain image, as with BINARY --platform
            Map.Entry<Platform, Path> only = binaries.entrySet().iterator().next();
            return new Packaging(only.getValue(), options, spec).withSbomInputs(sbomInputs).withPreparedPush(early)
                    .forPlatform(only.getKey()).run();
        }
        return new MultiPlatformPackaging(binaries, options, spec, null, Progress.SILENT, sbomInputs)
                .withPreparedPush(early).run();
    }

    private Map<Platform, Path> binariesByPlatform() {
        Map<Platform, Path> binaries = new LinkedHashMap<>();
        for (String pair : binariesFor) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("--binary-for must be OS/ARCH=FILE: " + pair);
            }
            Platform target = Platform.parse(pair.substring(0, eq));
            if (binaries.put(target, Path.of(pair.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("--binary-for names " + target + " twice");
            }
        }
        return binaries;
    }
}
