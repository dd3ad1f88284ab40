package dev.minimalimage.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.minimalimage.api.v1alpha1.MinimalImage;

/**
 * The MinimalImage reference (docs/reference.md), rendered from the generated CRD: one table per object of the
 * schema, each field with its type, default, description and validation, so the document cannot say other than
 * what the API server enforces and `kubectl explain` prints. Defaults come from the Java model (what a field holds
 * when the manifest leaves it out), as the CRD declares none. Written by {@link CrdPostProcessing} into
 * target/docs/reference.md, copied by scripts/update-crds.sh, drift-checked by CrdReferenceDriftTest.
 */
public final class CrdReference {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** One table: an object of the schema, at a path such as spec.build.tolerations[] ("" for the resource). */
    record Section(String path, JsonNode schema, JavaType javaType) {
        String heading(String kind) {
            return path.isEmpty() ? kind : path;
        }

        /** Defaults only for what users write: spec; status is the operator's. */
        boolean hasDefaults() {
            return path.startsWith("spec");
        }
    }

    private CrdReference() {
    }

    public static String render(String crdYaml) throws IOException {
        JsonNode crd = YAML.readTree(crdYaml);
        JsonNode version = crd.path("spec").path("versions").get(0);
        JsonNode root = version.path("schema").path("openAPIV3Schema");
        String kind = crd.path("spec").path("names").path("kind").asText();
        List<Section> sections = new ArrayList<>();
        collect("", root, JSON.constructType(MinimalImage.class), sections);

        StringBuilder out = new StringBuilder();
        header(out, crd, version, root);
        contents(out, sections, kind);
        for (Section section : sections) {
            section(out, section, kind);
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------------ document

    private static void header(StringBuilder out, JsonNode crd, JsonNode version, JsonNode root) {
        JsonNode names = crd.path("spec").path("names");
        out.append("# ").append(names.path("kind").asText()).append(" reference\n\n");
        out.append("<!-- Generated from the CRD by dev.minimalimage.api.CrdReference: do not edit by hand, run"
                + " scripts/update-crds.sh. -->\n\n");
        out.append("`apiVersion: ").append(crd.path("spec").path("group").asText()).append('/')
                .append(version.path("name").asText()).append("`, `kind: ").append(names.path("kind").asText())
                .append("`, short name `").append(names.path("shortNames").path(0).asText()).append("`, ")
                .append(crd.path("spec").path("scope").asText().toLowerCase()).append(". The CRD is in `crds/`;")
                .append(" `kubectl explain ").append(names.path("shortNames").path(0).asText())
                .append(".spec --recursive` prints the same descriptions.\n\n");
        out.append(text(root.path("description").asText())).append("\n\n");
        out.append("How to read the tables: **required** fields must be set; a default is what the operator uses when"
                + " the field is left out. Validation is enforced by the API server at admission (patterns, lengths,"
                + " ranges, enums; the rules written as sentences are CEL rules, checked at admission on Kubernetes"
                + " 1.25+). On older servers, which drop CEL rules, the operator checks the same rules and reports a"
                + " broken spec as `Ready=False`, reason `InvalidSpec`.\n\n");
        out.append("`kubectl get mimg` prints these columns:\n\n| Column | Value | Type |\n|---|---|---|\n");
        for (JsonNode column : version.path("additionalPrinterColumns")) {
            out.append("| ").append(column.path("name").asText()).append(" | ").append(code(column.path("jsonPath")
                    .asText())).append(" | ").append(column.path("type").asText()).append(" |\n");
        }
        out.append('\n');
    }

    private static void contents(StringBuilder out, List<Section> sections, String kind) {
        out.append("## Contents\n\n");
        for (Section section : sections) {
            long depth = section.path().isEmpty() ? 0 : 1 + section.path().chars().filter(c -> c == '.').count();
            out.append("  ".repeat((int) depth)).append("- [").append(section.heading(kind)).append("](#")
                    .append(anchor(section.heading(kind))).append(")\n");
        }
        out.append('\n');
    }

    private static void section(StringBuilder out, Section section, String kind) {
        out.append("## ").append(section.heading(kind)).append("\n\n");
        String description = section.schema().path("description").asText("");
        if (!description.isEmpty() && !section.path().isEmpty()) {
            out.append(text(description)).append("\n\n");
        }
        for (JsonNode rule : section.schema().path("x-kubernetes-validations")) {
            out.append("Rule: ").append(sentence(text(rule.path("message").asText()))).append("\n\n");
        }
        out.append("| Field | Type | Default | Description |\n|---|---|---|---|\n");
        JsonNode defaults = section.hasDefaults() ? defaults(section.javaType()) : MissingNode.getInstance();
        List<String> required = new ArrayList<>();
        section.schema().path("required").forEach(r -> required.add(r.asText()));
        for (Map.Entry<String, JsonNode> property : properties(section.schema()).entrySet()) {
            String name = property.getKey();
            JsonNode schema = property.getValue();
            String field = code(name) + (required.contains(name) ? " **required**" : "");
            out.append("| ").append(field)
                    .append(" | ").append(type(child(section.path(), name), schema))
                    .append(" | ").append(schema.has("properties") || required.contains(name) ? ""
                            : defaultValue(defaults.path(name)))
                    .append(" | ").append(describe(schema)).append(" |\n");
        }
        out.append('\n');
    }

    // ------------------------------------------------------------------------------------------------ schema walk

    /** Every object with properties, depth first: the object itself, then the objects below each of its fields. */
    static void collect(String path, JsonNode schema, JavaType javaType, List<Section> into) {
        into.add(new Section(path, schema, javaType));
        Map<String, JavaType> javaTypes = propertyTypes(javaType);
        for (Map.Entry<String, JsonNode> property : properties(schema).entrySet()) {
            String childPath = child(path, property.getKey());
            JsonNode child = property.getValue();
            JavaType childType = javaTypes.get(property.getKey());
            if (child.has("properties")) {
                collect(childPath, child, childType, into);
            } else if (child.path("items").has("properties")) {
                collect(childPath + "[]", child.path("items"), contentType(childType), into);
            } else if (child.path("additionalProperties").has("properties")) {
                collect(childPath + ".*", child.path("additionalProperties"), contentType(childType), into);
            }
        }
    }

    static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static Map<String, JsonNode> properties(JsonNode schema) {
        Map<String, JsonNode> properties = new TreeMap<>();
        schema.path("properties").fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue()));
        return properties;
    }

    /** The Java type of each JSON property of {@code type}, as Jackson maps them; empty when unknown. */
    static Map<String, JavaType> propertyTypes(JavaType type) {
        Map<String, JavaType> types = new TreeMap<>();
        if (type == null) {
            return types;
        }
        for (BeanPropertyDefinition property : JSON.getSerializationConfig().introspect(type).findProperties()) {
            types.put(property.getName(), property.getPrimaryType());
        }
        return types;
    }

    static JavaType contentType(JavaType type) {
        return type == null ? null : type.getContentType();
    }

    /** What a freshly constructed instance of the type holds, as JSON; missing when it cannot be constructed. */
    static JsonNode defaults(JavaType type) {
        if (type == null || type.isContainerType()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.valueToTree(type.getRawClass().getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            return MissingNode.getInstance();
        }
    }

    // ------------------------------------------------------------------------------------------------ cells

    static String type(String path, JsonNode schema) {
        if (schema.has("properties")) {
            return link("object", path);
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            return "int or string";
        }
        String type = schema.path("type").asText();
        if (type.equals("array")) {
            return "array of " + type(path + "[]", schema.path("items"));
        }
        if (type.equals("object") && schema.has("additionalProperties")) {
            return "map of " + type(path + ".*", schema.path("additionalProperties"));
        }
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            return "any";
        }
        return type;
    }

    static String defaultValue(JsonNode value) {
        if (value.isMissingNode() || value.isNull() || (value.isContainerNode() && value.isEmpty())) {
            return "";
        }
        return code(value.isTextual() ? value.asText() : value.toString());
    }

    /** The description, then every check the API server makes on the value (and on each item or map value). */
    static String describe(JsonNode schema) {
        StringJoiner checks = new StringJoiner("; ");
        validation(schema, "", checks);
        validation(schema.path("items"), "each item: ", checks);
        validation(schema.path("additionalProperties"), "each value: ", checks);
        String description = text(schema.path("description").asText(""));
        return checks.length() == 0 ? description : description + "<br>Validation: " + sentence(checks.toString());
    }

    static void validation(JsonNode schema, String prefix, StringJoiner into) {
        if (schema.has("enum")) {
            StringJoiner values = new StringJoiner(", ");
            schema.path("enum").forEach(v -> values.add(code(v.asText())));
            into.add(prefix + "one of " + values);
        }
        if (schema.has("pattern")) {
            into.add(prefix + "matches " + code(schema.path("pattern").asText()));
        }
        range(schema, "minLength", "maxLength", "characters", prefix, into);
        range(schema, "minimum", "maximum", null, prefix, into);
        range(schema, "minItems", "maxItems", "items", prefix, into);
        range(schema, "minProperties", "maxProperties", "entries", prefix, into);
        if (!schema.has("properties")) {
            // an object's own rules are printed in its section
            for (JsonNode rule : schema.path("x-kubernetes-validations")) {
                into.add(prefix + text(rule.path("message").asText()));
            }
        }
    }

    static void range(JsonNode schema, String minKey, String maxKey, String unit, String prefix, StringJoiner into) {
        String suffix = unit == null ? "" : " " + unit;
        JsonNode min = schema.path(minKey);
        JsonNode max = schema.path(maxKey);
        if (!min.isMissingNode() && !max.isMissingNode()) {
            into.add(prefix + number(min) + " to " + number(max) + suffix);
        } else if (!min.isMissingNode()) {
            into.add(prefix + "at least " + number(min) + suffix);
        } else if (!max.isMissingNode()) {
            into.add(prefix + "at most " + number(max) + suffix);
        }
    }

    /** The generator writes bounds as doubles (20.0); integers read better without the fraction. */
    static String number(JsonNode value) {
        double d = value.asDouble();
        return d == Math.rint(d) ? Long.toString((long) d) : value.asText();
    }

    // ------------------------------------------------------------------------------------------------ markdown

    static String link(String label, String path) {
        return "[" + label + "](#" + anchor(path) + ")";
    }

    /** GitHub's heading anchor: lower case, letters, digits, '-' and '_' kept, spaces to '-', the rest dropped. */
    static String anchor(String heading) {
        StringBuilder anchor = new StringBuilder();
        for (char c : heading.toLowerCase().toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                anchor.append(c);
            } else if (c == ' ') {
                anchor.append('-');
            }
        }
        return anchor.toString();
    }

    /** Prose in a table cell: no line breaks, no table pipes, no HTML tags or emphasis by accident. */
    static String text(String prose) {
        return prose.replace("\n", " ").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
                .replace("*", "\\*");
    }

    static String sentence(String text) {
        return text.endsWith(".") ? text : text + ".";
    }

    /** A code span in a table cell: only the pipe needs escaping there (GitHub's tables). */
    static String code(String literal) {
        String fence = literal.contains("`") ? "``" : "`";
        return fence + literal.replace("|", "\\|") + fence;
    }
}
