package dev.minimalimage.image;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.util.RawValue;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;

/**
 * A manifest whose bytes are already written (an artifact manifest, a referrers index), pushed through Jib's registry
 * client exactly as they are: Jib serializes a template with Jackson, and {@link JsonValue} on a raw value makes that
 * serialization these bytes, so the digest Jib checks against the registry's is the digest of our bytes.
 */
final class RawManifest implements ManifestTemplate {

    private final Blob manifest;

    RawManifest(Blob manifest) {
        this.manifest = manifest;
    }

    @JsonValue
    RawValue json() {
        return new RawValue(new String(manifest.bytes(), StandardCharsets.UTF_8));
    }

    @Override
    public int getSchemaVersion() {
        return 2;
    }

    @Override
    public String getManifestMediaType() {
        return manifest.mediaType();
    }
}
