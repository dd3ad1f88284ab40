package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.DebugTwin;
import dev.minimalimage.image.ImageAssembler;
import dev.minimalimage.image.ImageConfig;
import dev.minimalimage.image.Platform;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.image.closure.Bundle;
import dev.minimalimage.image.closure.BundleResolver;
import dev.minimalimage.image.closure.MissingLibraryException;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.ResultReason;
import dev.minimalimage.sbom.CycloneDxSbom;
import dev.minimalimage.sbom.SbomInputs;
import picocli.CommandLine.Model.CommandSpec;

/** One packaging run: check the binary's linkage, assemble the image, deliver it, report the result record. */
final class Packaging {

    private final Path binary;
    private final PackageOptions o;
    private final CommandSpec spec;
    private final LocalSmokeRun smokeTest;
    private final Progress progress;
    /** Set by {@link #check()}. */
    private ImageConfig config;
    private Path bundleRoot;
    private RegistryPusher.PendingPush preparedPush;
    /** The platform the binary was built for (`--platform`), checked against its ELF header; null: any. */
    private Platform expectedPlatform;
    /** Where the SBOM's library versions and crates come from (`package --toolchain-root/--cargo-lock`). */
    private SbomInputs sbomInputs = SbomInputs.NONE;

    Packaging(Path binary, PackageOptions options, CommandSpec spec) {
        this(binary, options, spec, null, Progress.SILENT);
    }

    /**
     * {@code smokeTest}: run on the delivered image (`build --smoke-test`), or null; {@code progress}: where each
     * stage reports its time (`build`).
     */
    Packaging(Path binary, PackageOptions options, CommandSpec spec, LocalSmokeRun smokeTest, Progress progress) {
        this.binary = binary;
        this.o = options;
        this.spec = spec;
        this.smokeTest = smokeTest;
        this.progress = progress;
    }

    Packaging forPlatform(Platform platform) {
        this.expectedPlatform = platform;
        return this;
    }

    /** A push {@link PackageOptions#prepare} started earlier (null: start one when packing). */
    Packaging withPreparedPush(RegistryPusher.PendingPush push) {
        this.preparedPush = push;
        return this;
    }

    Packaging withSbomInputs(SbomInputs inputs) {
        this.sbomInputs = inputs;
        return this;
    }

    /** Packs (and pushes) {@code binary}, prints the result record, returns the exit code. */
    int run() throws IOException, InterruptedException {
        BuildResult failure = check();
        return report(failure != null ? failure : execute());
    }

    /**
     * Everything that can be checked before the binary exists (so `build` can check it before compiling): a
     * destination, writable output paths, the image settings; null when all is well, else the failure to report.
     */
    BuildResult check() {
        return DestinationOptions.failedCheck(() -> {
            o.requireNamed();
            bundleRoot = o.bundleRoot();
            config = imageConfig();
            o.checkUser(config);
            PackageOptions.checkInputs(config);
            o.checkDebugTag(config.binaryPath()); // before the registry connection: nothing to push if it is wrong
            o.checkOutputs();
        });
    }

    private BuildResult execute() throws IOException, InterruptedException {
        try {
            return packAndDeliver();
        } catch (FileSystemException e) { // an input the image takes (--ca-certs, --tzdata) or an output gone bad
            return BuildResult.failure(ResultReason.FileError, FileErrors.describe(null, e), null);
        }
    }

    private BuildResult packAndDeliver() throws IOException, InterruptedException {
        RegistryPusher.PendingPush push;
        try {
            push = preparedPush != null ? preparedPush : o.prepare(this::warn);
        } catch (IllegalArgumentException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, e.getMessage(), null);
        }
        Packed packed = pack();
        if (packed.failure() != null) {
            return packed.failure();
        }
        AssembledImage assembled = packed.image();
        Future<Optional<CycloneDxSbom.Document>> sbom = writeSbomMeanwhile(packed.bundle());
        BuildResult result = deliver(assembled, packed.twin(), packed.summary(), push);
        timing("pushed");
        if (result.succeeded()) {
            result = withSbom(result, await(sbom), assembled, push);
        }
        if (push != null) {
            push.close(); // the connection the image and its SBOM went over
        }
        timing("delivered");
        progress.done(o.image != null ? "push" : "write", result.succeeded() ? result.image() : result.reason());
        if (smokeTest == null || !result.succeeded()) {
            return result;
        }
        result = smokeTest.verify(assembled, result);
        timing("smoke-tested");
        progress.done("smoke test", result.smokeTest().ran() ? (result.smokeTest().passed() ? "passed" : "failed")
                : "not run");
        return result;
    }

    /** What the binary became before delivery, or why it may not be delivered ({@code failure}, the rest null). */
    record Packed(AssembledImage image, AssembledImage twin, LinkSummary summary, Bundle bundle,
            BuildResult failure) {

        static Packed failed(BuildResult failure) {
            return new Packed(null, null, null, null, failure);
        }
    }

    /**
     * Reads the binary's ELF (never runs it), checks its linkage (and its machine against the platform the build
     * is for), bundles what bundle mode ships, and assembles the image (and the debug twin). Needs {@link #check()}.
     */
    Packed pack() throws IOException {
        String unreadable = FileErrors.unreadableFile(binary);
        if (unreadable != null) {
            return Packed.failed(BuildResult.failure(ResultReason.FileError, unreadable, null));
        }
        LinkReport link;
        try {
            link = ElfLinkAnalyzer.analyze(binary);
        } catch (IOException e) {
            return Packed.failed(BuildResult.failure(ResultReason.FileError, FileErrors.describe(binary, e), null));
        } catch (ElfFormatException e) {
            return Packed.failed(BuildResult.failure(ResultReason.UnsupportedBinary, binary + ": " + e.getMessage(),
                    null));
        }
        progress.done("verify", link.verdict() + (link.libc() == null ? "" : ", " + link.libc()));
        BuildResult refusal = PlatformCheck.check(binary, link, expectedPlatform);
        boolean bundling = o.bundle && link.verdict() == Verdict.Dynamic;
        if (refusal == null) {
            refusal = LinkPolicy.check(link, o.allowDynamic || bundling);
        }
        if (refusal == null && o.debugTag != null) {
            refusal = checkBusybox(link);
        }
        if (refusal != null) {
            return Packed.failed(refusal);
        }
        LinkSummary summary = LinkSummary.of(link);
        Bundle bundle = null;
        if (bundling) {
            try {
                bundle = BundleResolver.resolve(binary, config.binaryPath(), bundleRoot, o.extraLibraries);
            } catch (MissingLibraryException e) {
                return Packed.failed(BuildResult.failure(ResultReason.BundleIncomplete, "cannot bundle: "
                        + e.getMessage() + " (install it in --bundle-root " + bundleRoot + ", or link statically)",
                        summary));
            } catch (ElfFormatException e) {
                return Packed.failed(BuildResult.failure(ResultReason.UnsupportedBinary, "cannot bundle: "
                        + e.getMessage(), summary));
            }
            List<String> paths = new ArrayList<>(bundle.files().keySet());
            if (bundle.nameServices()) {
                paths.addAll(Bundle.NAME_SERVICE_FILES);
            }
            summary = summary.withBundle(paths, bundle.bytes());
        }
        timing("analyzed");
        AssembledImage assembled = ImageAssembler.assemble(binary, config,
                Platform.fromElf(link.machine(), link.elfClass(), link.byteOrder()), bundle);
        // the main image is assembled exactly as without --debug-tag; the twin only adds to it
        AssembledImage twin = o.debugTag == null ? null : DebugTwin.of(assembled, config, o.busybox);
        timing("assembled");
        progress.done("pack", assembled.compressedSize() + " bytes compressed");
        return new Packed(assembled, twin, summary, bundle, null);
    }

    /** {@code result} (delivered) with the SBOM of {@code packed}'s image, written and pushed as its referrer. */
    BuildResult attachSbom(BuildResult result, Packed packed, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException {
        return withSbom(result, sbomDocument(packed.bundle()), packed.image(), push);
    }

    /** The SBOM of the binary (none when it cannot be read: a warning says why). */
    private Optional<CycloneDxSbom.Document> sbomDocument(Bundle bundle) throws IOException {
        String imageName = o.image != null ? o.image : binary.getFileName().toString();
        return SbomAttachment.document(imageName, binary, config.binaryPath(), bundle, bundleRoot,
                SbomAttachment.sourceOf(o.sourceInfo), sbomInputs, this::warn);
    }

    private BuildResult withSbom(BuildResult result, Optional<CycloneDxSbom.Document> document, AssembledImage image,
            RegistryPusher.PendingPush push) throws IOException, InterruptedException {
        return document.isEmpty() ? result
                : SbomAttachment.attach(result, document.get(), image, o.ociLayout, o.ociArchive, push);
    }

    /**
     * The SBOM on a thread of its own: reading the binary and writing the document takes about as long as pushing a
     * small image, and the push mostly waits for the registry.
     */
    private Future<Optional<CycloneDxSbom.Document>> writeSbomMeanwhile(Bundle bundle) {
        FutureTask<Optional<CycloneDxSbom.Document>> task = new FutureTask<>(() -> sbomDocument(bundle));
        Thread thread = new Thread(task, "sbom");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private static Optional<CycloneDxSbom.Document> await(Future<Optional<CycloneDxSbom.Document>> sbom)
            throws IOException, InterruptedException {
        try {
            return sbom.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Reads the busybox for the twin (never runs it): a static ELF for the binary's machine, or the failure. */
    private BuildResult checkBusybox(LinkReport binaryLink) throws IOException {
        try {
            return LinkPolicy.checkBusybox(o.busybox, ElfLinkAnalyzer.analyze(o.busybox), binaryLink);
        } catch (IOException e) {
            return BuildResult.failure(ResultReason.FileError, "--busybox " + FileErrors.describe(o.busybox, e)
                    + " (Debian's busybox-static installs one at /bin/busybox)", LinkSummary.of(binaryLink));
        } catch (ElfFormatException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, "--busybox " + o.busybox + ": " + e.getMessage(),
                    LinkSummary.of(binaryLink));
        }
    }

    private BuildResult deliver(AssembledImage assembled, AssembledImage twin, LinkSummary link,
            RegistryPusher.PendingPush push) throws IOException, InterruptedException {
        List<String> references;
        try {
            references = o.deliver(assembled, twin, o.debugTag, push);
        } catch (PushException e) {
            return BuildResult.failure(DestinationOptions.reasonOf(e.kind()), e.getMessage(), link);
        }
        BuildResult result = BuildResult.success(references.get(0), assembled.digest(), assembled.compressedSize(),
                assembled.uncompressedLayerSize(), assembled.binarySize(), link);
        return twin == null ? result : result.withDebugImage(references.get(1), twin.digest());
    }

    private ImageConfig imageConfig() {
        ImageConfig settings = o.imageConfig("/app/" + binary.getFileName(), spec.commandLine().getParseResult());
        if (o.sourceInfo == null) {
            return settings;
        }
        try {
            return settings.withAnnotations(SourceInfo.read(o.sourceInfo).provenance()
                    .annotate(settings.annotations()));
        } catch (IOException e) {
            throw new FileProblem("--source-info " + FileErrors.describe(o.sourceInfo, e));
        }
    }

    /** Prints the result record (and --result-file), returns the exit code. */
    int report(BuildResult result) {
        byte[] json = result.toJsonBytes();
        PrintWriter out = spec.commandLine().getOut();
        out.println(new String(json, StandardCharsets.UTF_8));
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        if (!result.succeeded()) {
            err.println("error: " + result.reason() + ": " + result.message());
        }
        if (o.resultFile != null) {
            try {
                Files.write(o.resultFile, json);
            } catch (IOException e) { // checked before any work, so it went bad since (or it is the failure itself)
                err.println("error: --result-file " + FileErrors.describe(o.resultFile, e));
                return ExitCodes.BAD_ARGUMENTS;
            }
        }
        err.flush();
        return result.succeeded() ? ExitCodes.OK : ResultReason.valueOf(result.reason()).exitCode();
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
}
