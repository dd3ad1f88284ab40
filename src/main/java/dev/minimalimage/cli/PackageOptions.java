package dev.minimalimage.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/** The image and destination options shared by `package` and `build`. */
final class PackageOptions extends ImageSettingsOptions {

    @Option(names = "--path", paramLabel = "PATH", description = "path of the binary in the image (default /app/NAME)")
    String pathInImage;

    @Option(names = "--arg", paramLabel = "ARG", description = "argument passed to the binary (repeatable)")
    List<String> args = new ArrayList<>();

    @Option(names = "--port", paramLabel = "PORT[/PROTO]", description = "exposed port (repeatable)")
    List<String> ports = new ArrayList<>();

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

    @Option(names = "--allow-dynamic",
            description = "policy override: package a binary even if it needs an interpreter or shared libraries")
    boolean allowDynamic;

    @Option(names = "--result-file", paramLabel = "FILE",
            description = "also write the result record here (e.g. /dev/termination-log)")
    Path resultFile;
}
