package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.minimalimage.image.ImageIndex;
import dev.minimalimage.image.Platform;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.BuildResult.PlatformResult;
import dev.minimalimage.result.ResultReason;
import dev.minimalimage.sbom.SbomInputs;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A multi-platform packaging run: one binary per platform, each checked like a single build (plus its ELF machine
 * against the platform), packed into its own image, and all delivered as one OCI image index; then one SBOM per
 * platform image (a referrer of that image) and one smoke test per platform. Nothing is delivered unless every
 * platform's binary may be: an index missing a platform would be a different image under the same tag.
 */
final class MultiPlatformPackaging {

    private final Map<Platform, Path> binaries;
    private final PackageOptions o;
    private final CommandSpec spec;
    private final LocalSmokeRun smokeTest;
    private final Progress progress;
    private final SbomInputs sbomInputs;
    private final Map<Platform, Packaging> packagings = new LinkedHashMap<>();
    private RegistryPusher.PendingPush preparedPush;

    /** {@code binaries}: in the order the request named the platforms, which is the order of the index. */
    MultiPlatformPackaging(Map<Platform, Path> binaries, PackageOptions options, CommandSpec spec,
            LocalSmokeRun smokeTest, Progress progress, SbomInputs sbomInputs) {
        this.binaries = new LinkedHashMap<>(binaries);
        this.o = options;
        this.spec = spec;
        this.smokeTest = smokeTest;
        this.progress = progress;
        this.sbomInputs = sbomInputs;
    }

    /** A push {@link PackageOptions#prepare} started earlier (null: start one when packing). */
    MultiPlatformPackaging withPreparedPush(RegistryPusher.PendingPush push) {
        this.preparedPush = push;
        return this;
    }

    /** What can be checked before any binary exists; null when all is well. */
    BuildResult check() {
        BuildResult refused = PlatformCheck.hostOnlyOptions(o.bundle, o.debugTag, List.copyOf(binaries.keySet()));
        if (refused != null) {
            return refused;
        }
        for (Map.Entry<Platform, Path> each : binaries.entrySet()) {
            Packaging packaging = new Packaging(each.getValue(), o, spec, null, progress.about(
                    each.getKey().toString())).forPlatform(each.getKey()).withSbomInputs(sbomInputs);
            refused = packaging.check();
            if (refused != null) {
                return refused;
            }
            packagings.put(each.getKey(), packaging);
        }
        return null;
    }

    /** Packs, delivers, attaches the SBOMs and smoke-tests; prints the result record, returns the exit code. */
    int run() throws IOException, InterruptedException {
        BuildResult refused = check();
        Packaging reporter = new Packaging(null, o, spec);
        return reporter.report(refused != null ? refused : execute());
    }

    BuildResult execute() throws IOException, InterruptedException {
        RegistryPusher.PendingPush push;
        try {
            push = preparedPush != null ? preparedPush : o.prepare(message -> spec.commandLine().getErr().println("warning: " + message));
        } catch (IllegalArgumentException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, e.getMessage(), null);
        }
        Map<Platform, Packaging.Packed> packed = new LinkedHashMap<>();
        List<ImageIndex.PlatformImage> images = new ArrayList<>();
        for (Map.Entry<Platform, Packaging> each : packagings.entrySet()) {
            Packaging.Packed one = each.getValue().pack();
            if (one.failure() != null) {
                return forPlatform(each.getKey(), one.failure());
            }
            packed.put(each.getKey(), one);
            images.add(new ImageIndex.PlatformImage(each.getKey(), one.image()));
        }
        ImageIndex index = ImageIndex.of(images);
        String delivered;
        try {
            delivered = o.deliver(index, push);
        } catch (PushException e) {
            return BuildResult.failure(DestinationOptions.reasonOf(e.kind()), e.getMessage(), null);
        }
        progress.done(o.image != null ? "push" : "write", delivered + " (" + images.size() + " platforms)");
        Map<Platform, PlatformResult> platforms = new LinkedHashMap<>();
        packed.forEach((platform, one) -> platforms.put(platform, new PlatformResult(platform.toString(),
                one.image().digest(), one.image().compressedSize(), one.image().binarySize(), one.summary(), null,
                null)));
        BuildResult result = BuildResult.multiPlatform(delivered, index.digest(), index.compressedSize(),
                List.copyOf(platforms.values()));
        result = attachSboms(result, packed, platforms, push);
        if (push != null) {
            push.close(); // the connection the images, the index and the SBOMs went over
        }
        return result.succeeded() && smokeTest != null ? smokeTests(result, packed, platforms) : result;
    }

    /**
     * One SBOM per platform image, each a referrer of that image (not of the index: the index ships no file). A
     * failed push fails the record; every platform stays listed, since every image is in the registry.
     */
    private BuildResult attachSboms(BuildResult result, Map<Platform, Packaging.Packed> packed,
            Map<Platform, PlatformResult> platforms, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException {
        for (Map.Entry<Platform, Packaging.Packed> each : packed.entrySet()) {
            PlatformResult platform = platforms.get(each.getKey());
            BuildResult one = packagings.get(each.getKey()).attachSbom(single(result, platform), each.getValue(),
                    push);
            if (!one.succeeded()) {
                return result.withPlatforms(List.copyOf(platforms.values()))
                        .failedWith(ResultReason.valueOf(one.reason()), each.getKey() + ": " + one.message());
            }
            platforms.put(each.getKey(), platform.withSbom(one.sbom()));
        }
        return result.withPlatforms(List.copyOf(platforms.values()));
    }

    /**
     * Each platform's image run once from an empty root: natively, or through qemu-user for a foreign machine when
     * this host has it; one that cannot run is "not run" for that platform, never passed. The record fails with the
     * first platform that failed (or, unless --smoke-test-optional, could not run).
     */
    private BuildResult smokeTests(BuildResult result, Map<Platform, Packaging.Packed> packed,
            Map<Platform, PlatformResult> platforms) throws IOException, InterruptedException {
        BuildResult verdict = result;
        for (Map.Entry<Platform, Packaging.Packed> each : packed.entrySet()) {
            PlatformResult platform = platforms.get(each.getKey());
            BuildResult one = smokeTest.verify(each.getValue().image(), single(result, platform));
            platforms.put(each.getKey(), platform.withSmokeTest(one.smokeTest()));
            progress.done("smoke test " + each.getKey(), one.smokeTest().ran()
                    ? (one.smokeTest().passed() ? "passed" : "failed") : "not run");
            if (!one.succeeded() && verdict.succeeded()) {
                verdict = verdict.failedWith(ResultReason.valueOf(one.reason()), each.getKey() + ": "
                        + one.message());
            }
        }
        return verdict.withPlatforms(List.copyOf(platforms.values()));
    }

    /** One platform's image as a single-image record, for the steps that work on one image. */
    private BuildResult single(BuildResult index, PlatformResult platform) {
        return BuildResult.success(o.sibling(index.image(), platform.digest()), platform.digest(),
                platform.compressedSize(), 0, platform.binarySize(), platform.link());
    }

    private static BuildResult forPlatform(Platform platform, BuildResult failure) {
        return new BuildResult(failure.outcome(), failure.reason(), platform + ": " + failure.message(), null, null,
                null, null, null, failure.link(), null, null, null);
    }
}
