package dev.minimalimage.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything that goes into a FROM-scratch image besides the binary itself. Maps are sorted so the
 * serialized config, and therefore the digest, does not depend on the order options were given in.
 */
public record ImageConfig(
        String binaryPath,
        List<String> args,
        List<String> env,
        String workingDir,
        String user,
        List<String> exposedPorts,
        SortedMap<String, String> labels,
        SortedMap<String, String> annotations,
        Extras extras,
        Compression compression,
        int compressionLevel) {

    public static final String DEFAULT_USER = "65532";

    public ImageConfig {
        Objects.requireNonNull(binaryPath, "binaryPath");
        if (!binaryPath.startsWith("/") || binaryPath.endsWith("/") || binaryPath.contains("/../")
                || binaryPath.endsWith("/..") || binaryPath.contains("//")) {
            throw new IllegalArgumentException("path of the binary in the image must be absolute and normalized: " + binaryPath);
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
        checkEnv(env);
        user = user == null || user.isBlank() ? DEFAULT_USER : user;
        exposedPorts = exposedPorts.stream().map(ImageConfig::normalizePort).sorted().distinct().toList();
        labels = new TreeMap<>(labels);
        annotations = new TreeMap<>(annotations);
        extras = extras == null ? Extras.NONE : extras;
        compression = compression == null ? Compression.GZIP : compression;
        compressionLevel = compression.setting(compressionLevel);
    }

    public static ImageConfig minimal(String binaryPath) {
        return new ImageConfig(binaryPath, List.of(), List.of(), null, null, List.of(),
                new TreeMap<>(), new TreeMap<>(), Extras.NONE, Compression.GZIP, 0);
    }

    /** The same image with these manifest annotations instead (e.g. with {@link Provenance#annotate} applied). */
    public ImageConfig withAnnotations(SortedMap<String, String> newAnnotations) {
        return new ImageConfig(binaryPath, args, env, workingDir, user, exposedPorts, labels, newAnnotations, extras,
                compression, compressionLevel);
    }

    static void checkEnv(List<String> env) {
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("env entries must be NAME=value: " + e);
            }
        }
    }

    /** "8080" becomes "8080/tcp"; protocol must be tcp, udp or sctp. */
    static String normalizePort(String port) {
        String[] parts = port.trim().toLowerCase().split("/", -1);
        String proto = parts.length > 1 ? parts[1] : "tcp";
        int number;
        try {
            number = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be NUMBER[/tcp|udp|sctp]: " + port);
        }
        if (parts.length > 2 || number < 1 || number > 65535 || !List.of("tcp", "udp", "sctp").contains(proto)) {
            throw new IllegalArgumentException("port must be NUMBER[/tcp|udp|sctp] with 1 <= NUMBER <= 65535: " + port);
        }
        return number + "/" + proto;
    }

    /** Optional files for programs that need a little of an OS: TLS roots, a user database, /tmp, zoneinfo. */
    public record Extras(Path caCertificates, boolean passwd, boolean tmp, Path timezoneData) {
        public static final Extras NONE = new Extras(null, false, false, null);
        /** Where {@code tmp} puts the image's scratch directory (the smoke tests keep it writable). */
        public static final String TMP_PATH = "/tmp";
        /** Where Debian-like systems, and the operator image, keep the CA bundle and the zoneinfo tree. */
        public static final String DEFAULT_CA_CERTIFICATES = "/etc/ssl/certs/ca-certificates.crt";
        public static final String DEFAULT_TIMEZONE_DATA = "/usr/share/zoneinfo";

    }
}
