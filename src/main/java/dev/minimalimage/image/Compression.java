package dev.minimalimage.image;

/** Layer compression. gzip is what every runtime pulls; zstd is smaller but needs containerd >= 1.5 or CRI-O. */
public enum Compression {
    GZIP("application/vnd.oci.image.layer.v1.tar+gzip", 9, 1, 9),
    ZSTD("application/vnd.oci.image.layer.v1.tar+zstd", 19, 1, 22);

    private final String mediaType;
    private final int defaultLevel;
    private final int minLevel;
    private final int maxLevel;

    Compression(String mediaType, int defaultLevel, int minLevel, int maxLevel) {
        this.mediaType = mediaType;
        this.defaultLevel = defaultLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    /** The strongest level by default: bytes are pushed once and pulled many times. */
    public int defaultLevel() {
        return defaultLevel;
    }

    public int checkLevel(int level) {
        if (level < minLevel || level > maxLevel) {
            throw new IllegalArgumentException(name().toLowerCase() + " level must be " + minLevel + ".." + maxLevel
                    + ": " + level);
        }
        return level;
    }

    public String mediaType() {
        return mediaType;
    }
}
