package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import com.google.cloud.tools.jib.api.ImageReference;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.Compression;
import dev.minimalimage.image.ImageAssembler;
import dev.minimalimage.image.ImageConfig;
import dev.minimalimage.image.OciLayoutWriter;
import dev.minimalimage.image.Platform;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "package", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Packs a static binary FROM scratch into a reproducible OCI image and pushes it to a registry,",
                "or writes an OCI layout when no registry is named. Prints a JSON result record." })
final class PackageCommand implements Callable<Integer> {

    @Parameters(paramLabel = "BINARY", description = "the executable to ship")
    Path binary;

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
            converter = CompressionConverter.class,
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BuildResult result = execute();
        report(result);
        return result.succeeded() ? ExitCodes.OK : ResultReason.valueOf(result.reason()).exitCode();
    }

    private BuildResult execute() throws IOException, InterruptedException {
        if (image == null && ociLayout == null && ociArchive == null) {
            return BuildResult.failure(ResultReason.InvalidArguments,
                    "name a destination: --image REF, --oci-layout DIR or --oci-archive FILE", null);
        }
        LinkReport link;
        ImageConfig config;
        RegistryPusher.PendingPush push;
        try {
            push = image == null ? null : new RegistryPusher(this::warn).prepare(
                    new RegistryPusher.Target(image, dockerConfig, insecure, attempts, Duration.ofMillis(500)));
            config = imageConfig();
            link = ElfLinkAnalyzer.analyze(binary);
        } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, message(e), null);
        } catch (ElfFormatException e) {
            return BuildResult.failure(ResultReason.UnsupportedBinary, binary + ": " + e.getMessage(), null);
        }
        BuildResult refusal = LinkPolicy.check(link, allowDynamic);
        if (refusal != null) {
            return refusal;
        }
        timing("analyzed");
        AssembledImage assembled = ImageAssembler.assemble(binary, config,
                Platform.fromElf(link.machine(), link.elfClass(), link.byteOrder()));
        timing("assembled");
        BuildResult result = deliver(assembled, LinkSummary.of(link), push);
        timing("delivered");
        return result;
    }

    private BuildResult deliver(AssembledImage assembled, LinkSummary link, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException {
        String reference = image != null ? image : "oci-layout";
        if (ociLayout != null) {
            OciLayoutWriter.writeDirectory(assembled, tagOf(image), ociLayout);
        }
        if (ociArchive != null) {
            OciLayoutWriter.writeArchive(assembled, tagOf(image), ociArchive);
        }
        if (image != null) {
            try {
                String digest = push.push(assembled);
                ImageReference ref = RegistryPusher.parse(image);
                reference = ref.getRegistry() + "/" + ref.getRepository() + "@" + digest;
            } catch (PushException e) {
                return BuildResult.failure(reasonOf(e.kind()), e.getMessage(), link);
            }
        }
        return BuildResult.success(reference, assembled.digest(), assembled.compressedSize(),
                assembled.uncompressedLayerSize(), assembled.binarySize(), link);
    }

    private ImageConfig imageConfig() {
        String path = pathInImage != null ? pathInImage : "/app/" + binary.getFileName();
        return new ImageConfig(path, args, env, workingDir, user, ports, new TreeMap<>(labels),
                new TreeMap<>(annotations), new ImageConfig.Extras(caCertificates, passwd, tmp, timezoneData),
                compression, level);
    }

    private static ResultReason reasonOf(PushException.Kind kind) {
        return switch (kind) {
            case UNAUTHORIZED -> ResultReason.PushUnauthorized;
            case UNAVAILABLE -> ResultReason.RegistryUnavailable;
            case REJECTED -> ResultReason.PushRejected;
        };
    }

    private static String tagOf(String image) {
        return image == null ? null : RegistryPusher.parse(image).getQualifier();
    }

    private static String message(Exception e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file: " + e.getMessage() : e.getMessage();
    }

    private void report(BuildResult result) throws IOException {
        byte[] json = result.toJsonBytes();
        if (resultFile != null) {
            Files.write(resultFile, json);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(new String(json, StandardCharsets.UTF_8));
        out.flush();
        if (!result.succeeded()) {
            spec.commandLine().getErr().println("error: " + result.reason() + ": " + result.message());
        }
    }

    private final long started = System.nanoTime();

    /** MINIMAL_IMAGE_TIMING=1 prints where the time goes (stderr), for profiling the builder step. */
    private void timing(String phase) {
        if (System.getenv("MINIMAL_IMAGE_TIMING") != null) {
            spec.commandLine().getErr().printf("timing: %s at %d ms (JVM up %d ms)%n", phase,
                    (System.nanoTime() - started) / 1_000_000,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
    }

    private void warn(String message) {
        spec.commandLine().getErr().println("warning: " + message);
    }

    static final class CompressionConverter implements picocli.CommandLine.ITypeConverter<Compression> {
        @Override
        public Compression convert(String value) {
            return Compression.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }
}
