package dev.minimalimage.sbom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the SBOM can know besides the binaries: the toolchain's root (for its dpkg database: the versions of the
 * static libraries it linked) and the source's Cargo.lock. Both optional; without them those versions are unknown.
 */
public record SbomInputs(Optional<Path> toolchainRoot, Optional<Path> cargoLock) {

    public static final SbomInputs NONE = new SbomInputs(Optional.empty(), Optional.empty());

    /** `build` compiles with this machine's toolchain, so its root is /; the source's Cargo.lock applies if it has one. */
    public static SbomInputs hostBuild(Path sourceDir) {
        Path lock = sourceDir.resolve("Cargo.lock");
        return new SbomInputs(Optional.of(Path.of("/")),
                Files.isRegularFile(lock) ? Optional.of(lock) : Optional.empty());
    }
}
