package dev.minimalimage.planning;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.minimalimage.api.v1alpha1.MinimalImageSpec;

/**
 * The hash that keys a build: the spec fields that change the output (not pod retention) and the two images the
 * build runs (its preset's toolchain and the builder), in canonical JSON (sorted keys), so the same inputs hash the
 * same after any restart, and configuring another preset's image never renames this build's pod.
 */
final class BuildInputs {

    static final int HASH_LENGTH = 10;
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private BuildInputs() {
    }

    static String hash(MinimalImageSpec spec, String toolchainImage, String builderImage) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("source", spec.getSource());
        inputs.put("language", spec.getLanguage());
        inputs.put("image", spec.getImage());
        inputs.put("verify", spec.getVerify());
        if (spec.getBuild() != null) {
            inputs.put("timeout", spec.getBuild().getTimeout());
            inputs.put("resources", spec.getBuild().getResources());
            inputs.put("nodeSelector", spec.getBuild().getNodeSelector());
            inputs.put("tolerations", spec.getBuild().getTolerations());
        }
        inputs.put("toolchainImage", toolchainImage);
        inputs.put("builderImage", builderImage);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(inputs));
            return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("canonical JSON of a spec always serializes", e);
        }
    }
}
