package dev.minimalimage.image;

import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The image settings as one JSON document ({@code package --image-config}): how the operator hands spec.image to the
 * builder pod's package step. One argument instead of --arg/--env/... flags, so that no value ("--port", "-h", "--",
 * "@file") can ever be read as an option. Written ASCII-only (non-ASCII as \\u escapes), so the argument survives a
 * process whose argv charset is not UTF-8.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageSettings(
        String path,
        List<String> args,
        List<Env> env,
        String workingDir,
        String user,
        List<String> ports,
        SortedMap<String, String> labels,
        SortedMap<String, String> annotations,
        Extras extras) {

    // strict reading: a document that could mean two things (duplicate keys, unknown fields, trailing text) is refused
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    public ImageSettings {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        ports = ports == null ? List.of() : List.copyOf(ports);
        labels = labels == null ? new TreeMap<>() : new TreeMap<>(labels);
        annotations = annotations == null ? new TreeMap<>() : new TreeMap<>(annotations);
        extras = Extras.NONE.equals(extras) ? null : extras;
    }

    /** One environment variable: a name and a literal value (no references: the image has no Kubernetes). */
    public record Env(String name, String value) {
        public Env {
            if (name == null || name.isEmpty() || name.contains("=")) { // NAME=value would split elsewhere
                throw new IllegalArgumentException("env names must be non-empty and without '=': " + name);
            }
            value = value == null ? "" : value;
        }

        String entry() {
            return name + "=" + value;
        }
    }

    /** The OS files of {@link ImageConfig.Extras}, taken from the package step's own image. */
    public record Extras(boolean caCertificates, boolean passwd, boolean tmp, boolean timezoneData) {
        static final Extras NONE = new Extras(false, false, false, false);

        ImageConfig.Extras toImageExtras() {
            return new ImageConfig.Extras(caCertificates ? Path.of(ImageConfig.Extras.DEFAULT_CA_CERTIFICATES) : null,
                    passwd, tmp, timezoneData ? Path.of(ImageConfig.Extras.DEFAULT_TIMEZONE_DATA) : null);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException naming what is wrong with the document */
    public static ImageSettings parse(String json) {
        try {
            return JSON.readValue(json, ImageSettings.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("--image-config has an unknown key \"" + e.getPropertyName() + "\""
                    + where(e) + "; allowed: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                            .collect(Collectors.joining(", ")));
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            String detail = cause instanceof JsonProcessingException p ? p.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException("--image-config is not a valid image config document: " + detail);
        }
    }

    /** " in extras" for a key nested in an object (the document's own keys need no such note). */
    private static String where(UnrecognizedPropertyException e) {
        List<String> path = e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
                .filter(java.util.Objects::nonNull).toList();
        return path.size() <= 1 ? "" : " in " + String.join(".", path.subList(0, path.size() - 1));
    }

    /** The image config; {@code defaultPath} when the document names no path. */
    public ImageConfig toImageConfig(String defaultPath, Compression compression, int compressionLevel) {
        return new ImageConfig(path == null ? defaultPath : path, args, env.stream().map(Env::entry).toList(),
                workingDir, user, ports, labels, annotations, extras == null ? null : extras.toImageExtras(),
                compression, compressionLevel);
    }
}
