package dev.minimalimage.sbom;

import dev.minimalimage.elf.ElfSections;
import dev.minimalimage.elf.Libc;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.image.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The C library and GCC's runtime libraries linked statically into a C or C++ binary. A static libc.a carries no
 * version string, so versions come from the toolchain root's dpkg database; where none is given or it does not
 * know the package, libgcc/libstdc++ fall back to the GCC version in .comment and the libc's version is unknown.
 */
final class NativeComponents {

    static final String DPKG = "dpkg";
    static final String COMMENT = ".comment";
    /** The typeinfo name of std::exception: defined (so present) only where libstdc++ itself was linked in. */
    private static final byte[] LIBSTDCXX_MARKER = "St9exception".getBytes(StandardCharsets.US_ASCII);
    private static final String GCC_COMMENT = "GCC: ";

    private NativeComponents() {
    }

    static void add(ElfSections elf, LinkReport report, List<String> compilers, SbomInputs inputs,
            List<LinkedComponent> components) throws IOException {
        boolean staticCode = report.runnableOnScratch() && report.needed().isEmpty();
        if (!staticCode || (report.libc() != Libc.musl && report.libc() != Libc.glibc)) {
            return; // dynamic binaries get their libraries from the bundle; Go and Rust without libc have none
        }
        String arch = Platform.fromElf(report.machine(), report.elfClass(), report.byteOrder()).architecture();
        Optional<DpkgStatus> dpkg = toolchainDatabase(inputs);
        components.add(libc(report.libc(), dpkg, arch));
        Optional<String> gcc = newestGccVersion(compilers);
        if (gcc.isPresent()) {
            String major = gcc.get().substring(0, gcc.get().indexOf('.') < 0 ? gcc.get().length()
                    : gcc.get().indexOf('.'));
            components.add(gccRuntime("libgcc", "libgcc-" + major + "-dev", gcc.get(), dpkg, arch));
            if (contains(elf.content(), LIBSTDCXX_MARKER)) {
                components.add(gccRuntime("libstdc++", "libstdc++-" + major + "-dev", gcc.get(), dpkg, arch));
            }
        }
    }

    /** The toolchain root's database; none when there is no root, or its database is no regular file to read. */
    private static Optional<DpkgStatus> toolchainDatabase(SbomInputs inputs) {
        if (inputs.toolchainRoot().isEmpty()) {
            return Optional.empty();
        }
        try {
            return DpkgStatus.of(inputs.toolchainRoot().get());
        } catch (IOException e) { // then the versions are unknown, as without a database: the SBOM says so
            return Optional.empty();
        }
    }

    private static LinkedComponent libc(Libc libc, Optional<DpkgStatus> dpkg, String arch) {
        String debianPackage = libc == Libc.musl ? "musl-dev" : "libc6-dev";
        Optional<DpkgStatus.Installed> installed = dpkg.flatMap(d -> forArchitecture(d, debianPackage, arch));
        if (installed.isPresent()) {
            return fromDpkg(libc.name(), installed.get());
        }
        String why = dpkg.isEmpty() ? "no toolchain dpkg database was given"
                : "the toolchain's dpkg database has no " + debianPackage + " for " + arch;
        return new LinkedComponent(libc.name(), null, null, "elf",
                Map.of(BinaryReader.PREFIX + "version", "unknown: a static " + libc.name()
                        + " carries no version string and " + why));
    }

    private static LinkedComponent gccRuntime(String name, String debianPackage, String gccVersion,
            Optional<DpkgStatus> dpkg, String arch) {
        Optional<DpkgStatus.Installed> installed = dpkg.flatMap(d -> forArchitecture(d, debianPackage, arch));
        if (installed.isPresent()) {
            return fromDpkg(name, installed.get());
        }
        return new LinkedComponent(name, gccVersion, Purls.generic(name, gccVersion), COMMENT,
                Map.of(BinaryReader.PREFIX + "version:source", "the GCC version recorded in .comment"));
    }

    /**
     * The package that holds the static archive for a binary of {@code arch}: the native one when it is for that
     * architecture (never another architecture's: an amd64 libc6-dev says nothing of an arm64 binary's glibc), else
     * Debian's cross-toolchain package of it (libc6-dev-arm64-cross, architecture all), which a cross build links.
     */
    static Optional<DpkgStatus.Installed> forArchitecture(DpkgStatus dpkg, String name, String arch) {
        Optional<DpkgStatus.Installed> nativePackage = dpkg.installed(name, arch)
                .filter(p -> arch.equals(p.architecture()) || "all".equals(p.architecture()));
        return nativePackage.isPresent() ? nativePackage : dpkg.installed(name + "-" + arch + "-cross", "all");
    }

    /** Named by the library, versioned and purl'd by the Debian package that shipped its static archive. */
    private static LinkedComponent fromDpkg(String name, DpkgStatus.Installed p) {
        return p.asComponent(name);
    }

    /** "GCC: (Debian 12.2.0-14+deb12u1) 12.2.0" -> "12.2.0"; the newest when objects came from several GCCs. */
    static Optional<String> newestGccVersion(List<String> compilers) {
        return compilers.stream().filter(c -> c.startsWith(GCC_COMMENT))
                .map(c -> c.substring(c.lastIndexOf(' ') + 1))
                .filter(v -> !v.isEmpty() && Character.isDigit(v.charAt(0)))
                .max(Comparator.comparing(NativeComponents::versionKey));
    }

    private static String versionKey(String version) {
        StringBuilder key = new StringBuilder();
        for (String part : version.split("\\.")) {
            key.append(String.format("%08d", parseOrZero(part)));
        }
        return key.toString();
    }

    private static int parseOrZero(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
