package dev.minimalimage.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cross-compiled binary's static C library comes from Debian's cross package (libc6-dev-arm64-cross, architecture
 * all), never from the toolchain's own libc6-dev for another architecture; a database as this host's dpkg wrote it.
 */
class CrossPackagesTest {

    @Test
    void anArm64BinaryGetsTheCrossPackageAndAnAmd64OneTheNativePackage(@TempDir Path root) throws Exception {
        Path status = Files.createDirectories(root.resolve("var/lib/dpkg")).resolve("status");
        Files.writeString(status, """
                Package: libc6-dev
                Status: install ok installed
                Architecture: amd64
                Source: glibc
                Version: 2.36-9+deb12u14

                Package: libc6-dev-arm64-cross
                Status: install ok installed
                Architecture: all
                Source: cross-toolchain-base
                Version: 2.36-8cross1
                """);
        DpkgStatus dpkg = DpkgStatus.of(root).orElseThrow();

        assertThat(NativeComponents.forArchitecture(dpkg, "libc6-dev", "amd64")).get()
                .extracting(DpkgStatus.Installed::version).isEqualTo("2.36-9+deb12u14");
        assertThat(NativeComponents.forArchitecture(dpkg, "libc6-dev", "arm64")).get()
                .extracting(DpkgStatus.Installed::name, DpkgStatus.Installed::version)
                .containsExactly("libc6-dev-arm64-cross", "2.36-8cross1");
        assertThat(NativeComponents.forArchitecture(dpkg, "musl-dev", "arm64")).as("nothing known: no version")
                .isEmpty();
    }
}
