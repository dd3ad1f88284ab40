package dev.minimalimage.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An OCI image index over one image per platform, in the order the build asked for them (that order is part of the
 * index's bytes, so the same request gives the same digest). Each descriptor carries the platform the image's ELF
 * binary was verified for; nothing else (no annotations, no timestamps): the index is as reproducible as its images.
 */
public record ImageIndex(List<PlatformImage> images, Blob index) {

    public static final String MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One platform's image. */
    public record PlatformImage(Platform platform, AssembledImage image) {
    }

    public ImageIndex {
        images = List.copyOf(images);
    }

    public static ImageIndex of(List<PlatformImage> images) {
        if (images.size() < 2) {
            throw new IllegalArgumentException("an index is for two or more platforms; one platform is a plain"
                    + " manifest (byte-identical to a build that names no platform)");
        }
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (PlatformImage each : images) {
            Map<String, Object> descriptor = new LinkedHashMap<>();
            descriptor.put("mediaType", OciManifest.MEDIA_TYPE);
            descriptor.put("digest", each.image().digest());
            descriptor.put("size", each.image().manifest().size());
            descriptor.put("platform", platformJson(each.platform()));
            manifests.add(descriptor);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MEDIA_TYPE);
        index.put("manifests", manifests);
        try {
            return new ImageIndex(images, Blob.of(MEDIA_TYPE, JSON.writeValueAsBytes(index)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialize", e);
        }
    }

    private static Map<String, Object> platformJson(Platform platform) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architecture", platform.architecture());
        json.put("os", platform.os());
        if (platform.variant() != null) {
            json.put("variant", platform.variant());
        }
        return json;
    }

    public String digest() {
        return index.digest();
    }

    /** Bytes a registry stores for the index and every platform's image. */
    public long compressedSize() {
        return index.size() + images.stream().mapToLong(each -> each.image().compressedSize()).sum();
    }
}
