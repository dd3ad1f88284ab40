package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;

import dev.minimalimage.image.closure.Bundle;

/**
 * Builds a FROM-scratch OCI image of one binary (one layer) or of directory trees (a layer each), daemonless and in
 * memory. The output is a pure function of the
 * inputs: no timestamps, no tool versions, no host names, sorted maps; so the digest is reproducible.
 */
public final class ImageAssembler {

    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    /**
     * The version of what this class writes for given inputs (layer format, config fields, manifest annotations). Bump
     * it whenever the same binary and settings would give other bytes: builds are keyed by it, not by the builder
     * image's tag, so an operator upgrade that writes the same bytes rebuilds nothing. ImageDigestPinTest pins the
     * bytes of each version. 2: gzip level by layer size when none is given ({@link Compression#levelFor}).
     */
    public static final int OUTPUT_FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageAssembler() {
    }

    public static AssembledImage assemble(Path binary, ImageConfig config, Platform platform) throws IOException {
        return assemble(binary, config, platform, null);
    }

    /**
     * The binary with its bundled loader and libraries (and name-service files) in the same layer, at their
     * original paths; {@code bundle} null for a binary alone.
     */
    public static AssembledImage assemble(Path binary, ImageConfig config, Platform platform, Bundle bundle)
            throws IOException {
        List<String> env = bundle == null ? config.env() : bundle.environment(config.env());
        Map<String, Object> runtime = runtimeConfig(config.user(), config.exposedPorts(), env,
                List.of(config.binaryPath()), config.args(), config.workingDir(), config.labels());
        return assemble(List.of(RootfsPlan.of(binary, config, bundle)), runtime, config.annotations(), config.compression(),
                config.compressionLevel(), platform, Files.size(binary));
    }

    /** An image of directory trees, one layer per tree in order (see {@link TreeImageConfig}). */
    public static AssembledImage assemble(TreeImageConfig config, Platform platform) throws IOException {
        List<List<LayerEntry>> layers = new ArrayList<>();
        for (Path tree : config.layers()) {
            layers.add(RootfsPlan.ofTree(tree));
        }
        Map<String, Object> runtime = runtimeConfig(config.user(), List.of(), config.env(), config.entrypoint(),
                config.cmd(), config.workingDir(), config.labels());
        return assemble(layers, runtime, config.annotations(), config.compression(), config.compressionLevel(),
                platform, 0);
    }

    /**
     * A whole root file system (a Dockerfile's final stage) as one layer with the modes its files have (setuid and
     * all, owner root), and a runtime config with ports and a stop signal besides {@code config}'s settings.
     */
    public static AssembledImage assembleRootfs(Path root, TreeImageConfig config, List<String> exposedPorts,
            String stopSignal, Platform platform) throws IOException {
        Map<String, Object> runtime = runtimeConfig(config.user(), exposedPorts, config.env(), config.entrypoint(),
                config.cmd(), config.workingDir(), config.labels());
        if (stopSignal != null) {
            runtime.put("StopSignal", stopSignal);
        }
        return assemble(List.of(RootfsPlan.ofRootfs(root)), runtime, config.annotations(), config.compression(),
                config.compressionLevel(), platform, 0);
    }

    private static AssembledImage assemble(List<List<LayerEntry>> trees, Map<String, Object> runtime,
            Map<String, String> annotations, Compression compression, int level, Platform platform, long binarySize)
            throws IOException {
        List<Blob> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        long uncompressed = 0;
        for (List<LayerEntry> tree : trees) {
            LayerWriter.Layer layer = LayerWriter.write(tree, compression, level);
            layers.add(layer.blob());
            diffIds.add(layer.diffId());
            uncompressed += layer.uncompressedSize();
        }
        return finish(layers, diffIds, imageConfigJson(runtime, platform, diffIds), annotations, uncompressed,
                binarySize);
    }

    /** Config and manifest blobs over finished layers. */
    static AssembledImage finish(List<Blob> layers, List<String> diffIds, Map<String, Object> imageConfig,
            Map<String, String> annotations, long uncompressed, long binarySize) throws IOException {
        Blob configBlob = Blob.of(CONFIG_MEDIA_TYPE, JSON.writeValueAsBytes(imageConfig));
        OciManifest manifest = new OciManifest(configBlob, layers, annotations);
        Blob manifestBlob = Blob.of(OciManifest.MEDIA_TYPE, JsonTemplateMapper.toByteArray(manifest));
        return new AssembledImage(layers, diffIds, configBlob, manifestBlob, manifest, uncompressed, binarySize);
    }

    /** The OCI image configuration with only the fields that carry information (all others are optional). */
    private static Map<String, Object> imageConfigJson(Map<String, Object> runtime, Platform platform,
            List<String> diffIds) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architecture", platform.architecture());
        json.put("os", platform.os());
        if (platform.variant() != null) {
            json.put("variant", platform.variant());
        }
        json.put("config", runtime);
        Map<String, Object> rootfs = new LinkedHashMap<>(); // Map.of would iterate in a per-JVM random order
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", diffIds);
        json.put("rootfs", rootfs);
        return json;
    }

    private static Map<String, Object> runtimeConfig(String user, List<String> exposedPorts, List<String> env,
            List<String> entrypoint, List<String> cmd, String workingDir, Map<String, String> labels) {
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("User", user);
        if (!exposedPorts.isEmpty()) {
            Map<String, Object> ports = new TreeMap<>();
            exposedPorts.forEach(p -> ports.put(p, Map.of()));
            runtime.put("ExposedPorts", ports);
        }
        if (!env.isEmpty()) {
            runtime.put("Env", env);
        }
        runtime.put("Entrypoint", entrypoint);
        if (!cmd.isEmpty()) {
            runtime.put("Cmd", cmd);
        }
        if (workingDir != null && !workingDir.isBlank()) {
            runtime.put("WorkingDir", workingDir);
        }
        if (!labels.isEmpty()) {
            runtime.put("Labels", labels);
        }
        return runtime;
    }
}
