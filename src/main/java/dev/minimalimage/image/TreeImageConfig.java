package dev.minimalimage.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A FROM-scratch image of directory trees, one layer each in the given order (e.g. runtime + libraries, the
 * application, a start-up archive), with the process settings of the image config.
 */
public record TreeImageConfig(
        List<Path> layers,
        List<String> entrypoint,
        List<String> cmd,
        List<String> env,
        String workingDir,
        String user,
        SortedMap<String, String> labels,
        SortedMap<String, String> annotations,
        Compression compression,
        int compressionLevel) {

    public TreeImageConfig {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("name at least one layer directory");
        }
        entrypoint = List.copyOf(Objects.requireNonNull(entrypoint, "entrypoint"));
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        ImageConfig.checkEnv(env);
        user = user == null || user.isBlank() ? ImageConfig.DEFAULT_USER : user;
        labels = new TreeMap<>(labels);
        annotations = new TreeMap<>(annotations);
        compression = compression == null ? Compression.GZIP : compression;
        compressionLevel = compression.setting(compressionLevel);
    }
}
