package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.OciLayoutWriter;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.image.closure.Bundle;
import dev.minimalimage.image.closure.Closure;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.SbomSummary;
import dev.minimalimage.sbom.BinaryInventory;
import dev.minimalimage.sbom.BinaryReader;
import dev.minimalimage.sbom.CycloneDxSbom;
import dev.minimalimage.sbom.DpkgStatus;
import dev.minimalimage.sbom.Hashing;
import dev.minimalimage.sbom.SbomInputs;
import dev.minimalimage.sbom.SbomReferrer;
import dev.minimalimage.sbom.SbomSource;
import dev.minimalimage.sbom.ShippedFile;

/**
 * `package/build`: the image's SBOM delivered as an OCI 1.1 referrer of the image manifest wherever the image went:
 * into the layout (directory, archive or both) and, with --image, into the image's repository (the debug twin gets
 * none: it is the same binary plus busybox for a look inside, not what runs).
 */
final class SbomAttachment {

    private SbomAttachment() {
    }

    /** The git source `fetch` recorded (--source-info), for the SBOM; unknown without one. */
    static SbomSource sourceOf(Path sourceInfo) throws IOException {
        if (sourceInfo == null) {
            return SbomSource.UNKNOWN;
        }
        SourceInfo info = SourceInfo.read(sourceInfo);
        return SbomSource.git(info.url(), info.commit());
    }

    /**
     * The SBOM of a binary's image, made apart from its delivery so that it can be written while the image is
     * pushed; empty (and a warning says why) when the binary cannot be read, for the image stays delivered without
     * one. {@code imageName} names the image in the SBOM: no output path, so the same image gets the same SBOM
     * anywhere.
     */
    static Optional<CycloneDxSbom.Document> document(String imageName, Path binary, String binaryPath, Bundle bundle,
            Path bundleRoot, SbomSource source, SbomInputs inputs, Consumer<String> warn) throws IOException {
        BinaryInventory inventory;
        try {
            inventory = BinaryReader.read(binary, binaryPath, inputs);
        } catch (ElfFormatException e) {
            warn.accept("no SBOM written: " + binary + ": " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(CycloneDxSbom.write(imageName, source, List.of(inventory), bundledFiles(bundle,
                bundleRoot)));
    }

    /**
     * The result with the SBOM's summary, the SBOM delivered wherever the image went, for an image of several files
     * (a Dockerfile's final stage): {@code binaries}, its ELF files read, and {@code otherFiles}, the rest with their
     * sha256. {@code push}: the image's push (null without --image); an SBOM it cannot push fails the result with
     * the push failure's reason, the image staying named in it.
     */
    static BuildResult attach(BuildResult result, String imageName, SbomSource source, List<BinaryInventory> binaries,
            List<ShippedFile> otherFiles, AssembledImage image, Path layout, Path archive,
            RegistryPusher.PendingPush push) throws IOException, InterruptedException {
        return attach(result, CycloneDxSbom.write(imageName, source, binaries, otherFiles), image, layout, archive,
                push);
    }

    /** {@code document} delivered as above. */
    static BuildResult attach(BuildResult result, CycloneDxSbom.Document document, AssembledImage image,
            Path layout, Path archive, RegistryPusher.PendingPush push) throws IOException, InterruptedException {
        OciLayoutWriter.Referrer referrer = SbomReferrer.of(document, image.manifest());
        if (layout != null) {
            OciLayoutWriter.addReferrer(layout, referrer);
        }
        if (archive != null) {
            OciLayoutWriter.addReferrerToArchive(archive, referrer);
        }
        if (push != null) {
            try {
                push.pushReferrer(referrer, image.digest());
            } catch (PushException e) {
                return result.failedAfterDelivery(DestinationOptions.reasonOf(e.kind()), "the image was pushed but"
                        + " its SBOM was not: " + e.getMessage());
            }
        }
        String layerDigest = referrer.blobs().get(referrer.blobs().size() - 1).digest();
        return result.withSbom(new SbomSummary(layerDigest, CycloneDxSbom.FORMAT, document.componentCount(),
                referrer.manifest().digest()));
    }

    /**
     * Bundled libraries (bundle mode) as shipped files with their sha256 and, when the bundle root's dpkg database
     * knows the file, the Debian package and version it came from; links are not files of their own.
     */
    private static List<ShippedFile> bundledFiles(Bundle bundle, Path bundleRoot) throws IOException {
        List<ShippedFile> files = new ArrayList<>();
        if (bundle == null) {
            return files;
        }
        Optional<DpkgStatus> dpkg = DpkgStatus.of(bundleRoot);
        for (Closure.Entry entry : bundle.files().values()) {
            if (!entry.isSymlink()) {
                String inRoot = "/" + bundleRoot.toAbsolutePath().relativize(entry.source().toAbsolutePath());
                Optional<DpkgStatus.Installed> owner = dpkg.isEmpty() ? Optional.empty() : dpkg.get().owner(inRoot);
                files.add(new ShippedFile(entry.path(), Hashing.sha256(entry.source()),
                        owner.map(DpkgStatus.Installed::asComponent).orElse(null)));
            }
        }
        return files;
    }
}
