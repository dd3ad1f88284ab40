package dev.minimalimage.result;

/**
 * The SBOM delivered with the image: the digest of its document (the referrer's layer), its format
 * ("CycloneDX 1.6"), how many components it lists, and {@code referrer}: the digest of the OCI 1.1 referrer manifest
 * that carries it, in the OCI layout and in the image's repository alike (the same bytes); see docs/sbom.md.
 */
public record SbomSummary(String digest, String format, int components, String referrer) {
}
