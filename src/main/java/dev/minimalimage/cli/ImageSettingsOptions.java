package dev.minimalimage.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.minimalimage.image.Compression;
import dev.minimalimage.image.ImageConfig;
import picocli.CommandLine.Option;

/** Image settings and destination shared by `package`, `build` and `package-tree`. */
class ImageSettingsOptions extends DestinationOptions {

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "environment variable (repeatable)")
    List<String> env = new ArrayList<>();

    @Option(names = "--workdir", paramLabel = "DIR", description = "working directory")
    String workingDir;

    @Option(names = "--user", paramLabel = "UID[:GID]", defaultValue = ImageConfig.DEFAULT_USER,
            description = "user the process runs as (default ${DEFAULT-VALUE}: non-root)")
    String user;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "image config label (repeatable)")
    Map<String, String> labels = new TreeMap<>();

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "manifest annotation (repeatable)")
    Map<String, String> annotations = new TreeMap<>();

    @Option(names = "--compression", paramLabel = "gzip|zstd", defaultValue = "gzip",
            description = "layer compression (default ${DEFAULT-VALUE}; zstd is smaller, needs containerd >= 1.5)")
    Compression compression;

    @Option(names = "--level", paramLabel = "N",
            description = "compression level (default by layer size: gzip 9 up to 1 MiB, 4 above, ~6x faster than 9 and"
                    + " ~2%% larger; zstd 19)")
    int level;
}
