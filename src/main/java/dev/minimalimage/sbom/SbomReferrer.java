package dev.minimalimage.sbom;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minimalimage.image.Blob;
import dev.minimalimage.image.OciLayoutWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SBOM packed as an OCI 1.1 artifact (image-spec 1.1 "artifacts guidance"): an image manifest with
 * {@code artifactType} = the SBOM's media type, the empty config descriptor, the document as its one layer and
 * {@code subject} = the image manifest it describes.
 */
public final class SbomReferrer {

    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";
    static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
    /** What `oras` and BuildKit name an attached file; a user who pulls the layer gets a sensible file name. */
    static final String TITLE = "sbom.cdx.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SbomReferrer() {
    }

    public static OciLayoutWriter.Referrer of(CycloneDxSbom.Document document, Blob subject) {
        Blob config = Blob.of(EMPTY_TYPE, EMPTY);
        Blob layer = Blob.of(CycloneDxSbom.MEDIA_TYPE, document.json());
        Map<String, Object> configDescriptor = descriptor(config);
        configDescriptor.put("data", "e30="); // base64("{}"), as the spec's empty descriptor carries it
        Map<String, Object> layerDescriptor = descriptor(layer);
        layerDescriptor.put("annotations", Map.of("org.opencontainers.image.title", TITLE));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST_TYPE);
        manifest.put("artifactType", CycloneDxSbom.MEDIA_TYPE);
        manifest.put("config", configDescriptor);
        manifest.put("layers", List.of(layerDescriptor));
        manifest.put("subject", descriptor(subject));
        try {
            return new OciLayoutWriter.Referrer(Blob.of(MANIFEST_TYPE, JSON.writeValueAsBytes(manifest)),
                    CycloneDxSbom.MEDIA_TYPE, List.of(config, layer));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the SBOM's artifact manifest", e);
        }
    }

    private static Map<String, Object> descriptor(Blob blob) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", blob.mediaType());
        descriptor.put("digest", blob.digest());
        descriptor.put("size", blob.size());
        return descriptor;
    }
}
