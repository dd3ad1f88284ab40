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
import dev.minimalimage.image.ImageAssembler;

/**
 * The hash that keys a build: the spec fields that change the output or whether it can be built (not pod retention,
 * not a cache), the one toolchain image the build compiles with, and the version of the packer's output format, in
 * canonical JSON (sorted keys) under a schema version. So the same inputs hash the same after any restart; configuring
 * another preset's image renames no build; and an operator upgrade (a new builder image tag) rebuilds nothing unless
 * it changes what the packer writes (then {@link ImageAssembler#OUTPUT_FORMAT_VERSION} moves).
 */
final class BuildInputs {

    static final int HASH_LENGTH = 10;
    /** Bump when the inputs below change shape, so a hash of one layout never equals one of another. */
    static final int SCHEMA_VERSION = 2;
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private BuildInputs() {
    }

    /** How often a branch is polled does not change what is built; the commit it yields does. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutPolling(Object source) {
        Map<String, Object> tree = CANONICAL.convertValue(source, Map.class);
        if (tree != null && tree.get("git") instanceof Map<?, ?> git) {
            ((Map<String, Object>) git).remove("pollInterval");
        }
        return tree;
    }

    /** The smoke test checks the pushed image; it changes nothing about what is built or pushed. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutSmokeTest(Object verify) {
        Map<String, Object> tree = CANONICAL.convertValue(verify, Map.class);
        if (tree != null) {
            tree.remove("smokeTest");
        }
        return tree;
    }

    /** {@code trackedCommit}: the polled head of a followed branch, or null (the fetch step resolves the revision). */
    static String hash(MinimalImageSpec spec, String toolchainImage, String trackedCommit) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("schema", SCHEMA_VERSION);
        inputs.put("source", withoutPolling(spec.getSource()));
        if (trackedCommit != null) {
            inputs.put("trackedCommit", trackedCommit);
        }
        inputs.put("language", spec.getLanguage());
        if (spec.getDockerfile() != null) { // absent, the hash of a preset's resource stays what it was
            inputs.put("dockerfile", spec.getDockerfile());
        }
        inputs.put("image", spec.getImage());
        inputs.put("verify", withoutSmokeTest(spec.getVerify()));
        if (spec.getPlatforms() != null && !spec.getPlatforms().isEmpty()) { // absent, the hash stays what it was
            inputs.put("platforms", spec.getPlatforms());
        }
        if (spec.getRebuild() != null) { // absent, the hash of a resource stays what an earlier release computed
            inputs.put("rebuild", spec.getRebuild());
        }
        if (spec.getBuild() != null) {
            inputs.put("timeout", spec.getBuild().getTimeout());
            inputs.put("resources", spec.getBuild().getResources());
            inputs.put("nodeSelector", spec.getBuild().getNodeSelector());
            inputs.put("tolerations", spec.getBuild().getTolerations());
        }
        inputs.put("toolchainImage", toolchainImage);
        inputs.put("packerOutputFormat", ImageAssembler.OUTPUT_FORMAT_VERSION);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(inputs));
            return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("canonical JSON of a spec always serializes", e);
        }
    }
}
