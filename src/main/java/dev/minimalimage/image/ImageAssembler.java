package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;

/**
 * Builds a FROM-scratch OCI image of one binary, daemonless and in memory. The output is a pure function of the
 * inputs: no timestamps, no tool versions, no host names, sorted maps; so the digest is reproducible.
 */
public final class ImageAssembler {

    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageAssembler() {
    }

    public static AssembledImage assemble(Path binary, ImageConfig config, Platform platform) throws IOException {
        LayerWriter.Layer layer = LayerWriter.write(RootfsPlan.of(binary, config), config.compression(),
                config.compressionLevel());
        Blob configBlob = Blob.of(CONFIG_MEDIA_TYPE, JSON.writeValueAsBytes(imageConfigJson(config, platform, layer.diffId())));
        OciManifest manifest = new OciManifest(configBlob, List.of(layer.blob()), config.annotations());
        Blob manifestBlob = Blob.of(OciManifest.MEDIA_TYPE, JsonTemplateMapper.toByteArray(manifest));
        return new AssembledImage(layer.blob(), configBlob, manifestBlob, manifest, layer.uncompressedSize(),
                Files.size(binary));
    }

    /** The OCI image configuration with only the fields that carry information (all others are optional). */
    private static Map<String, Object> imageConfigJson(ImageConfig config, Platform platform, String diffId) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architecture", platform.architecture());
        json.put("os", platform.os());
        if (platform.variant() != null) {
            json.put("variant", platform.variant());
        }
        json.put("config", runtimeConfig(config));
        Map<String, Object> rootfs = new LinkedHashMap<>(); // Map.of would iterate in a per-JVM random order
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of(diffId));
        json.put("rootfs", rootfs);
        return json;
    }

    private static Map<String, Object> runtimeConfig(ImageConfig config) {
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("User", config.user());
        if (!config.exposedPorts().isEmpty()) {
            Map<String, Object> ports = new TreeMap<>();
            config.exposedPorts().forEach(p -> ports.put(p, Map.of()));
            runtime.put("ExposedPorts", ports);
        }
        if (!config.env().isEmpty()) {
            runtime.put("Env", config.env());
        }
        runtime.put("Entrypoint", List.of(config.binaryPath()));
        if (!config.args().isEmpty()) {
            runtime.put("Cmd", config.args());
        }
        if (config.workingDir() != null && !config.workingDir().isBlank()) {
            runtime.put("WorkingDir", config.workingDir());
        }
        if (!config.labels().isEmpty()) {
            runtime.put("Labels", config.labels());
        }
        return runtime;
    }
}
