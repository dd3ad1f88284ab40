package dev.minimalimage.testsupport;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the one image of an OCI layout directory (as `package --oci-layout` writes it). */
public final class OciLayouts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayouts() {
    }

    public static JsonNode manifest(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        return blob(layout, index.at("/manifests/0/digest").asText());
    }

    /** The image configuration (architecture, os, config.{User,Env,Entrypoint,Cmd,...}, rootfs). */
    public static JsonNode config(Path layout) throws IOException {
        return blob(layout, manifest(layout).at("/config/digest").asText());
    }

    private static JsonNode blob(Path layout, String digest) throws IOException {
        return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
    }
}
