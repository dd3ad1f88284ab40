package dev.minimalimage.result;

/**
 * The SBOM written next to the image: the digest of its document (the referrer's layer), its format
 * ("CycloneDX 1.6") and how many components it lists; see docs/sbom.md.
 */
public record SbomSummary(String digest, String format, int components) {
}
