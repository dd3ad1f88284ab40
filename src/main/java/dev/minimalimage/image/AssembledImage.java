package dev.minimalimage.image;

import java.util.List;

/** All blobs of a built image, ready to push or to write as an OCI layout. */
public record AssembledImage(Blob layer, Blob config, Blob manifest, OciManifest manifestTemplate,
        long uncompressedLayerSize, long binarySize) {

    /** Bytes a registry stores for this image: manifest + config + layers. */
    public long compressedSize() {
        return manifest.size() + config.size() + layer.size();
    }

    public String digest() {
        return manifest.digest();
    }

    List<Blob> blobsInPushOrder() {
        return List.of(layer, config);
    }
}
