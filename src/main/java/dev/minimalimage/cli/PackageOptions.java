package dev.minimalimage.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.minimalimage.image.Compression;
import dev.minimalimage.image.ImageConfig;
import picocli.CommandLine.Option;

/** The image and destination options shared by `package` and `build`. */
final class PackageOptions {

    @Option(names = { "-t", "--image" }, paramLabel = "REF", description = "push to this reference (registry/repo:tag)")
    String image;

    @Option(names = "--oci-layout", paramLabel = "DIR", description = "write an OCI image layout directory")
    Path ociLayout;

    @Option(names = "--oci-archive", paramLabel = "FILE", description = "write an OCI image layout as a tar file")
    Path ociArchive;

    @Option(names = "--path", paramLabel = "PATH", description = "path of the binary in the image (default /app/NAME)")
    String pathInImage;

    @Option(names = "--arg", paramLabel = "ARG", description = "argument passed to the binary (repeatable)")
    List<String> args = new ArrayList<>();

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "environment variable (repeatable)")
    List<String> env = new ArrayList<>();

    @Option(names = "--workdir", paramLabel = "DIR", description = "working directory")
    String workingDir;

    @Option(names = "--user", paramLabel = "UID[:GID]", defaultValue = ImageConfig.DEFAULT_USER,
            description = "user the binary runs as (default ${DEFAULT-VALUE}: non-root)")
    String user;

    @Option(names = "--port", paramLabel = "PORT[/PROTO]", description = "exposed port (repeatable)")
    List<String> ports = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "image config label (repeatable)")
    Map<String, String> labels = new TreeMap<>();

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "manifest annotation (repeatable)")
    Map<String, String> annotations = new TreeMap<>();

    @Option(names = "--ca-certs", paramLabel = "FILE", arity = "0..1",
            fallbackValue = "/etc/ssl/certs/ca-certificates.crt",
            description = "add a CA bundle at /etc/ssl/certs/ca-certificates.crt (default source: ${FALLBACK-VALUE})")
    Path caCertificates;

    @Option(names = "--passwd", description = "add /etc/passwd and /etc/group with root and the image's user")
    boolean passwd;

    @Option(names = "--tmp", description = "add an empty /tmp with mode 1777")
    boolean tmp;

    @Option(names = "--tzdata", paramLabel = "DIR", arity = "0..1", fallbackValue = "/usr/share/zoneinfo",
            description = "add timezone data at /usr/share/zoneinfo (default source: ${FALLBACK-VALUE})")
    Path timezoneData;

    @Option(names = "--compression", paramLabel = "gzip|zstd", defaultValue = "gzip",
            description = "layer compression (default ${DEFAULT-VALUE}; zstd is smaller, needs containerd >= 1.5)")
    Compression compression;

    @Option(names = "--level", paramLabel = "N",
            description = "compression level (default: strongest, gzip 9 / zstd 19; gzip 6 is ~3x faster, ~0.3% larger)")
    int level;

    @Option(names = "--allow-dynamic",
            description = "policy override: package a binary even if it needs an interpreter or shared libraries")
    boolean allowDynamic;

    @Option(names = "--docker-config", paramLabel = "FILE",
            description = "Docker config.json with registry credentials (e.g. a mounted .dockerconfigjson)")
    Path dockerConfig;

    @Option(names = "--insecure", description = "allow plain HTTP and unverified TLS for this registry")
    boolean insecure;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "4",
            description = "attempts for transient registry errors, with exponential backoff (default ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--result-file", paramLabel = "FILE",
            description = "also write the result record here (e.g. /dev/termination-log)")
    Path resultFile;
}
