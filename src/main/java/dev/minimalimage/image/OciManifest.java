package dev.minimalimage.image;

import java.util.List;
import java.util.Map;

import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplate;

/**
 * An OCI image manifest in the shape Jib's registry client serializes and pushes. Our own class (instead of Jib's
 * OciManifestTemplate) because it carries annotations and zstd layers. Field order is the JSON order.
 */
@SuppressWarnings("unused") // fields are read by Jib's Jackson mapper
public final class OciManifest implements ManifestTemplate {

    public static final String MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private final int schemaVersion = 2;
    private final String mediaType = MEDIA_TYPE;
    private final Descriptor config;
    private final List<Descriptor> layers;
    private final Map<String, String> annotations;

    OciManifest(Blob config, List<Blob> layers, Map<String, String> annotations) {
        this.config = Descriptor.of(config);
        this.layers = layers.stream().map(Descriptor::of).toList();
        this.annotations = annotations.isEmpty() ? null : annotations;
    }

    /** The manifest annotations (empty when none); not a bean getter, so Jib's mapper does not serialize it twice. */
    Map<String, String> annotations() {
        return annotations == null ? Map.of() : annotations;
    }

    @Override
    public int getSchemaVersion() {
        return schemaVersion;
    }

    @Override
    public String getManifestMediaType() {
        return mediaType;
    }

    static final class Descriptor implements JsonTemplate {
        private final String mediaType;
        private final String digest;
        private final long size;

        private Descriptor(String mediaType, String digest, long size) {
            this.mediaType = mediaType;
            this.digest = digest;
            this.size = size;
        }

        static Descriptor of(Blob blob) {
            return new Descriptor(blob.mediaType(), blob.digest(), blob.size());
        }
    }
}
