package dev.minimalimage.image;

/** Layer compression. gzip is what every runtime pulls; zstd is smaller but needs containerd >= 1.5 or CRI-O. */
public enum Compression {
    GZIP("application/vnd.oci.image.layer.v1.tar+gzip"),
    ZSTD("application/vnd.oci.image.layer.v1.tar+zstd");

    private final String mediaType;

    Compression(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
