package dev.minimalimage.image;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How a runtime starts an image, read back from its config blob (the bytes that were pushed, not the options that
 * produced them): Entrypoint, Cmd, Env, WorkingDir and User; absent fields are empty lists or null.
 */
public record RuntimeConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
        String user) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static RuntimeConfig of(AssembledImage image) throws IOException {
        JsonNode config = JSON.readTree(image.config().bytes()).path("config");
        String workingDir = config.path("WorkingDir").asText("");
        String user = config.path("User").asText("");
        return new RuntimeConfig(strings(config.path("Entrypoint")), strings(config.path("Cmd")),
                strings(config.path("Env")), workingDir.isEmpty() ? null : workingDir, user.isEmpty() ? null : user);
    }

    private static List<String> strings(JsonNode array) {
        return array.isArray() ? JSON.convertValue(array, JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class)) : List.of();
    }
}
