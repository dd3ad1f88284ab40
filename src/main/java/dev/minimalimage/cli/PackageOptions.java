package dev.minimalimage.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import dev.minimalimage.image.DebugTwin;
import dev.minimalimage.image.ImageConfig;
import dev.minimalimage.image.ImageSettings;
import dev.minimalimage.image.RegistryPusher;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The image and destination options shared by `package` and `build`. */
final class PackageOptions extends ImageSettingsOptions {

    /** What --image-config describes as a whole; given together with it, which one would win is anyone's guess. */
    private static final List<String> IMAGE_CONFIG_FLAGS = List.of("--path", "--arg", "--env", "--workdir", "--user",
            "--port", "--label", "--annotation", "--ca-certs", "--passwd", "--tmp", "--tzdata");

    @Option(names = "--path", paramLabel = "PATH", description = "path of the binary in the image (default /app/NAME)")
    String pathInImage;

    @Option(names = "--arg", paramLabel = "ARG", description = "argument passed to the binary (repeatable)")
    List<String> args = new ArrayList<>();

    @Option(names = "--port", paramLabel = "PORT[/PROTO]", description = "exposed port (repeatable)")
    List<String> ports = new ArrayList<>();

    @Option(names = "--ca-certs", paramLabel = "FILE", arity = "0..1",
            fallbackValue = ImageConfig.Extras.DEFAULT_CA_CERTIFICATES,
            description = "add a CA bundle at /etc/ssl/certs/ca-certificates.crt (default source: ${FALLBACK-VALUE})")
    Path caCertificates;

    @Option(names = "--passwd", description = "add /etc/passwd and /etc/group with root and the image's user")
    boolean passwd;

    @Option(names = "--tmp", description = "add an empty /tmp with mode 1777")
    boolean tmp;

    @Option(names = "--tzdata", paramLabel = "DIR", arity = "0..1", fallbackValue = ImageConfig.Extras.DEFAULT_TIMEZONE_DATA,
            description = "add timezone data at /usr/share/zoneinfo (default source: ${FALLBACK-VALUE})")
    Path timezoneData;

    @Option(names = "--image-config", paramLabel = "JSON", description = { "the image config as one JSON document",
            "{path, args, env: [{name, value}], workingDir, user, ports, labels, annotations,",
            " extras: {caCertificates, passwd, tmp, timezoneData}} instead of --path ... --tzdata" })
    String imageConfigJson;

    @Option(names = "--source-info", paramLabel = "FILE",
            description = "annotate the manifest with the source URL, commit and commit time `fetch --source-info` wrote")
    Path sourceInfo;

    @Option(names = "--allow-dynamic",
            description = "policy override: package a binary even if it needs an interpreter or shared libraries")
    boolean allowDynamic;

    @Option(names = "--bundle", description = { "for a dynamic binary that cannot be linked statically: bundle its",
            "interpreter and shared libraries (and NSS files for glibc name lookups) from --bundle-root" })
    boolean bundle;

    @Option(names = "--bundle-root", paramLabel = "DIR", description = { "with --bundle: the system root the binary",
            "was built in and its libraries come from (default /)" })
    Path bundleRoot;

    @Option(names = "--extra-library", paramLabel = "NAME_OR_PATH", description = { "with --bundle: also bundle this",
            "library the binary dlopen()s (a SONAME searched like DT_NEEDED, or a path inside the root; repeatable)" })
    List<String> extraLibraries = new ArrayList<>();

    @Option(names = "--result-file", paramLabel = "FILE",
            description = "also write the result record here (e.g. /dev/termination-log)")
    Path resultFile;

    @Option(names = "--debug-tag", paramLabel = "TAG", description = { "after the image, push its debug twin under",
            "this tag of the same repository (--image only): the same layers plus busybox in /bin (sh, ls, wget, ...)" })
    String debugTag;

    @Option(names = "--busybox", paramLabel = "FILE", defaultValue = DebugTwin.DEFAULT_BUSYBOX, description = {
            "the statically linked busybox for --debug-tag (default ${DEFAULT-VALUE}: Debian's busybox-static)" })
    Path busybox;

    /** The --debug-tag preconditions that need no file: a registry destination and a tag other than the image's. */
    void checkDebugTag(String binaryPath) {
        if (debugTag == null) {
            return;
        }
        if (image == null) {
            throw new IllegalArgumentException("--debug-tag pushes the twin to the --image repository: name --image REF");
        }
        checkTag("--debug-tag", debugTag);
        if (debugTag.equals(RegistryPusher.parse(image).getQualifier())) {
            throw new IllegalArgumentException("--debug-tag " + debugTag + " is the image's own tag: the twin would"
                    + " replace the image");
        }
        DebugTwin.checkBinaryPath(binaryPath);
    }

    @Override
    void checkOutputs() {
        super.checkOutputs();
        if (resultFile != null) {
            OutputPaths.checkFile("--result-file", resultFile);
        }
    }

    /** The files the image takes from this machine (--ca-certs, --tzdata) are there: {@link FileProblem} else. */
    static void checkInputs(ImageConfig config) {
        Path caCertificates = config.extras().caCertificates();
        String unreadable = caCertificates == null ? null : FileErrors.unreadableFile(caCertificates);
        if (unreadable != null) {
            throw new FileProblem("--ca-certs " + unreadable);
        }
        Path timezoneData = config.extras().timezoneData();
        if (timezoneData != null && !java.nio.file.Files.isDirectory(timezoneData)) {
            throw new FileProblem("--tzdata " + timezoneData + ": " + (java.nio.file.Files.exists(timezoneData)
                    ? "not a directory" : "no such file or directory"));
        }
    }

    /**
     * A user or group given by name must be one the image's /etc/passwd and /etc/group define, or nothing can resolve
     * it when the container starts, and Kubernetes' runAsNonRoot cannot verify a name either. The only files this tool
     * writes (--passwd, and --bundle's NSS files) define root and the numeric user, so a name other than root is
     * refused, and root only with --passwd.
     */
    void checkUser(ImageConfig config) {
        String[] parts = config.user().split(":", 2);
        for (String part : parts) {
            boolean numeric = !part.isEmpty() && part.chars().allMatch(c -> c >= '0' && c <= '9');
            if (numeric || "root".equals(part) && config.extras().passwd()) {
                continue;
            }
            throw new IllegalArgumentException("--user " + config.user() + ": \"" + part + "\" is a name, and a name"
                    + " needs an entry in the image's /etc/passwd (or /etc/group), which --passwd writes only for root"
                    + " and a numeric user; Kubernetes' runAsNonRoot cannot verify a name either: give UID[:GID],"
                    + " e.g. --user " + ImageConfig.DEFAULT_USER);
        }
    }

    /** --bundle-root (default /) when --bundle is given; fails on bundle options without --bundle. */
    Path bundleRoot() {
        if (!bundle && (bundleRoot != null || !extraLibraries.isEmpty())) {
            throw new IllegalArgumentException("--bundle-root and --extra-library only apply with --bundle");
        }
        Path root = bundleRoot != null ? bundleRoot : Path.of("/");
        if (bundle && !java.nio.file.Files.isDirectory(root)) {
            throw new IllegalArgumentException("--bundle-root is not a directory: " + root);
        }
        return root;
    }

    /** The image config from --image-config or from the individual flags; never from both. */
    ImageConfig imageConfig(String defaultPath, ParseResult parsed) {
        if (imageConfigJson == null) {
            return new ImageConfig(pathInImage != null ? pathInImage : defaultPath, args, env, workingDir, user, ports,
                    new TreeMap<>(labels), new TreeMap<>(annotations),
                    new ImageConfig.Extras(caCertificates, passwd, tmp, timezoneData), compression, level);
        }
        List<String> given = IMAGE_CONFIG_FLAGS.stream().filter(parsed::hasMatchedOption).toList();
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("--image-config holds the whole image config: do not combine it with "
                    + String.join(", ", given));
        }
        return ImageSettings.parse(imageConfigJson).toImageConfig(defaultPath, compression, level);
    }
}
