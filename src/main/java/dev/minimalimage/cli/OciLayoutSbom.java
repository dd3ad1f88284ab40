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
 * `package/build --oci-layout/--oci-archive`: the image's SBOM written into the layout (directory, archive or both)
 * as a referrer of the image manifest.
 */
final class OciLayoutSbom {

    private OciLayoutSbom() {
    }

    /**
     * Returns the result with the SBOM's summary; when the SBOM cannot be made the image stays delivered, a
     * warning says why and the result has no sbom field (never a claim of an SBOM that is not there).
     * {@code imageName} names the image in the SBOM: no output path, so the same image gets the same SBOM anywhere.
     */
    static BuildResult attach(BuildResult result, String imageName, Path binary, String binaryPath, Bundle bundle, Path bundleRoot,
            SbomSource source, AssembledImage image, Path layout, Path archive, SbomInputs inputs,
            Consumer<String> warn)
            throws IOException {
        CycloneDxSbom.Document document;
        try {
            BinaryInventory inventory = BinaryReader.read(binary, binaryPath, inputs);
            document = CycloneDxSbom.write(imageName, source, List.of(inventory),
                    bundledFiles(bundle, bundleRoot));
        } catch (ElfFormatException e) {
            warn.accept("no SBOM written: " + binary + ": " + e.getMessage());
            return result;
        }
        OciLayoutWriter.Referrer referrer = SbomReferrer.of(document, image.manifest());
        if (layout != null) {
            OciLayoutWriter.addReferrer(layout, referrer);
        }
        if (archive != null) {
            OciLayoutWriter.addReferrerToArchive(archive, referrer);
        }
        String layerDigest = referrer.blobs().get(referrer.blobs().size() - 1).digest();
        return result.withSbom(new SbomSummary(layerDigest, CycloneDxSbom.FORMAT, document.componentCount()));
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
