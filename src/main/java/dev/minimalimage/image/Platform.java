package dev.minimalimage.image;

/** OCI platform of the image, derived from the ELF header so an arm64 binary is not labelled amd64. */
public record Platform(String os, String architecture, String variant) {

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);

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
}
