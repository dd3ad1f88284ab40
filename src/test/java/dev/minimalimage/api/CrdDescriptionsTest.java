package dev.minimalimage.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every field of the generated CRD has a description, the schema's root included, so `kubectl explain mimg` and
 * `kubectl explain mimg.status.conditions` say what each one is, and docs/reference.md has no empty cell. Embedded
 * Kubernetes types get theirs from CoreTypeSchemas, the root from MinimalImage's class description.
 */
class CrdDescriptionsTest {

    @Test
    void everyPropertyOfTheSchemaHasADescription() throws IOException {
        JsonNode root = CrdReference.YAML.readTree(CrdDriftTest.GENERATED.resolve(CrdDriftTest.CRD_FILE).toFile())
                .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        assertThat(root.isObject()).as("openAPIV3Schema of the generated CRD").isTrue();
        List<String> undescribed = new ArrayList<>();
        walk("(root)", root, undescribed);
        assertThat(undescribed).as("CRD properties without a description (@JsonPropertyDescription)").isEmpty();
    }

    @Test
    void theConditionsAndTheRootAreDescribed() throws IOException {
        JsonNode root = CrdReference.YAML.readTree(CrdDriftTest.GENERATED.resolve(CrdDriftTest.CRD_FILE).toFile())
                .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        assertThat(root.path("description").asText()).contains("FROM-scratch");
        JsonNode condition = root.at("/properties/status/properties/conditions/items/properties");
        assertThat(condition.fieldNames()).toIterable().containsExactlyInAnyOrder("type", "status", "reason", "message",
                "lastTransitionTime", "observedGeneration");
        assertThat(condition.path("type").path("description").asText()).contains("Ready", "SmokeTested");
    }

    /** Collects the path of every property (and the node itself) that has no description. */
    static void walk(String path, JsonNode schema, List<String> into) {
        if (schema.path("description").asText("").isBlank()) {
            into.add(path);
        }
        for (Map.Entry<String, JsonNode> property : CrdReference.properties(schema).entrySet()) {
            JsonNode child = property.getValue();
            String childPath = path + "." + property.getKey();
            if (child.path("items").has("properties")) {
                walkProperties(childPath + "[]", child.path("items"), into);
            }
            if (child.path("additionalProperties").has("properties")) {
                walkProperties(childPath + ".*", child.path("additionalProperties"), into);
            }
            walk(childPath, child, into);
        }
    }

    /** An array's items or a map's values: their own node needs no description (the field has it), their fields do. */
    static void walkProperties(String path, JsonNode schema, List<String> into) {
        for (Map.Entry<String, JsonNode> property : CrdReference.properties(schema).entrySet()) {
            walk(path + "." + property.getKey(), property.getValue(), into);
        }
    }
}
