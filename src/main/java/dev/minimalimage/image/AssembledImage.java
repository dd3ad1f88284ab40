package dev.minimalimage.image;

import java.util.ArrayList;
import java.util.List;

/**
 * All blobs of a built image, ready to push or to write as an OCI layout.
 *
 * @param layers               compressed layers, bottom first
 * @param diffIds              digests of the uncompressed layers, same order
 * @param uncompressedLayerSize sum of the uncompressed layer sizes
 * @param binarySize           size of the packed binary (0 for directory trees)
 */
public record AssembledImage(List<Blob> layers, List<String> diffIds, Blob config, Blob manifest,
        OciManifest manifestTemplate, long uncompressedLayerSize, long binarySize) {

    public AssembledImage {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
    }

    /** Bytes a registry stores for this image: manifest + config + layers. */
    public long compressedSize() {
        return manifest.size() + config.size() + layers.stream().mapToLong(Blob::size).sum();
    }

    public String digest() {
        return manifest.digest();
    }

    List<Blob> blobsInPushOrder() {
        List<Blob> blobs = new ArrayList<>(layers);
        blobs.add(config);
        return blobs;
    }
}
