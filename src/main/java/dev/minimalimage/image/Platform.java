package dev.minimalimage.image;

import java.util.List;

/** OCI platform of the image, derived from the ELF header so an arm64 binary is not labelled amd64. */
public record Platform(String os, String architecture, String variant) {

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);
    public static final Platform LINUX_ARM64 = new Platform("linux", "arm64", null);

    /**
     * The platforms a build may ask for: those every preset can cross-compile to from an amd64 builder (Go through
     * GOARCH, C and C++ through the target's GNU cross compiler, Rust through the target's std), see
     * docs/platforms.md.
     */
    public static final List<Platform> BUILDABLE = List.of(LINUX_AMD64, LINUX_ARM64);

    /** Maps the ELF analyzer's machine name, class and byte order to GOARCH-style names (as the OCI spec uses). */
    public static Platform fromElf(String machine, String elfClass, String byteOrder) {
        boolean is64 = "ELF64".equals(elfClass);
        boolean little = !"big".equals(byteOrder);
        String arch = switch (machine == null ? "" : machine) {
            case "x86-64" -> "amd64";
            case "i386" -> "386";
            case "AArch64" -> "arm64";
            case "ARM" -> "arm";
            case "RISC-V" -> is64 ? "riscv64" : "riscv32";
            case "PowerPC64" -> little ? "ppc64le" : "ppc64";
            case "PowerPC" -> "ppc";
            case "s390" -> "s390x";
            case "MIPS" -> is64 ? (little ? "mips64le" : "mips64") : (little ? "mipsle" : "mips");
            case "LoongArch" -> "loong64";
            default -> null;
        };
        return arch == null ? LINUX_AMD64 : new Platform("linux", arch, "arm".equals(arch) ? "v7" : null);
    }

    /**
     * A buildable platform from its OCI name ({@code linux/arm64}); an {@link IllegalArgumentException} naming the
     * buildable ones for anything else.
     */
    public static Platform parse(String name) {
        String given = name == null ? "" : name.strip();
        for (Platform platform : BUILDABLE) {
            if (platform.toString().equals(given)) {
                return platform;
            }
        }
        throw new IllegalArgumentException("platform '" + given + "' is not one the presets build: "
                + String.join(", ", BUILDABLE.stream().map(Platform::toString).toList()));
    }

    /** The machine an ELF file built for this platform names in its header (as the ELF analyzer spells it). */
    public String elfMachine() {
        return switch (architecture) {
            case "amd64" -> "x86-64";
            case "arm64" -> "AArch64";
            default -> throw new IllegalStateException("no ELF machine known for " + this);
        };
    }

    /** The ELF class of this platform's programs. */
    public String elfClass() {
        return "ELF64"; // every buildable platform is 64-bit
    }

    /** The byte order of this platform's programs, as the ELF analyzer spells it. */
    public String byteOrder() {
        return "little"; // every buildable platform is little-endian
    }

    /** The GNU name of the CPU: the prefix of the cross tools (aarch64-linux-gnu-gcc), qemu-aarch64-static. */
    public String gnuCpu() {
        return switch (architecture) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> throw new IllegalStateException("no GNU CPU name known for " + this);
        };
    }

    /** A directory (or file) name for this platform's part of a build: linux-arm64. */
    public String directoryName() {
        return os + "-" + architecture + (variant == null ? "" : "-" + variant);
    }

    /** The OCI name, os/architecture[/variant], as BuildKit's TARGETPLATFORM and `docker --platform` spell it. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
