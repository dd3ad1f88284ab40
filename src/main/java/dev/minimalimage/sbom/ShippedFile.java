package dev.minimalimage.sbom;

/**
 * A shipped file that is not an analysed binary (a bundled library, certificates, tzdata), with its sha256 and the
 * package it came from when a package database knows it (else null).
 */
public record ShippedFile(String pathInImage, String sha256, LinkedComponent fromPackage) {
}
