package dev.minimalimage.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.Platform;

/**
 * Running an image built for another machine in a local smoke test: through qemu's user-mode emulator, which runs a
 * foreign static binary as a process of this host. Debian's qemu-user-static installs one per CPU
 * (qemu-aarch64-static); being static itself, it runs inside the image's empty root as well.
 */
final class Emulation {

    /** Where the emulator goes in the smoke test's root, a name no image uses. */
    static final String PATH_IN_ROOT = "/.minimal-image-emulator";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Emulation() {
    }

    /** The image's architecture (OCI name) from its config. */
    static String architectureOf(AssembledImage image) throws IOException {
        return JSON.readTree(image.config().bytes()).path("architecture").asText("");
    }

    /** This JVM's machine as an OCI architecture name. */
    static String hostArchitecture() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    /**
     * The emulator for {@code architecture} on {@code searchPath} (qemu-CPU-static, else qemu-CPU), or why there is
     * none, as the smoke test's "not run" message says it.
     */
    static Optional<Path> emulatorFor(String architecture, String searchPath, StringBuilder whyNot) {
        Platform platform = Platform.BUILDABLE.stream().filter(p -> p.architecture().equals(architecture))
                .findFirst().orElse(null);
        if (platform == null) {
            whyNot.append("no emulator is known for architecture '").append(architecture).append("'");
            return Optional.empty();
        }
        String cpu = platform.gnuCpu();
        for (String name : new String[] { "qemu-" + cpu + "-static", "qemu-" + cpu }) {
            for (String dir : searchPath.split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        whyNot.append("the image is for ").append(platform).append(" and this host (").append(hostArchitecture())
                .append(") has no qemu-").append(cpu).append("-static to run it (Debian: qemu-user-static)");
        return Optional.empty();
    }
}
