package dev.minimalimage.image;

/** Layer compression. gzip is what every runtime pulls; zstd is smaller but needs containerd >= 1.5 or CRI-O. */
public enum Compression {
    GZIP("application/vnd.oci.image.layer.v1.tar+gzip", 9, 4, 1, 9),
    ZSTD("application/vnd.oci.image.layer.v1.tar+zstd", 19, 19, 1, 22);

    /** A level setting that means "choose by the layer's size" ({@link #levelFor}); what no level option gives. */
    public static final int BY_SIZE = 0;
    /**
     * Up to this many uncompressed bytes a layer gets the strongest level: it costs a few milliseconds there. Above
     * it (a Go program, a root file system) gzip -9 costs ~6x the time of -4 for ~2% fewer bytes, and the time is
     * paid on every build while 2% of a large layer barely changes a pull.
     */
    public static final long SMALL_LAYER = 1024 * 1024;

    private final String mediaType;
    private final int smallLayerLevel;
    private final int largeLayerLevel;
    private final int minLevel;
    private final int maxLevel;

    Compression(String mediaType, int smallLayerLevel, int largeLayerLevel, int minLevel, int maxLevel) {
        this.mediaType = mediaType;
        this.smallLayerLevel = smallLayerLevel;
        this.largeLayerLevel = largeLayerLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    /** {@code level} as a setting: {@link #BY_SIZE} for none (0 or less), else a level this compression has. */
    public int setting(int level) {
        return level <= 0 ? BY_SIZE : checkLevel(level);
    }

    /**
     * The level a layer of {@code uncompressedSize} bytes is compressed at: {@code setting} when one was given,
     * else the strongest for a small layer and a fast one for a large layer ({@link #SMALL_LAYER}).
     */
    public int levelFor(int setting, long uncompressedSize) {
        if (setting != BY_SIZE) {
            return setting;
        }
        return uncompressedSize <= SMALL_LAYER ? smallLayerLevel : largeLayerLevel;
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
