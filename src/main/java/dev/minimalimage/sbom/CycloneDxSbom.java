package dev.minimalimage.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The image's SBOM as CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/), written with Jackson's tree model.
 * Reproducible: no timestamp, and the serial number is derived from the content, so the same image gets the same
 * SBOM bytes (and digest). The bytes are those cyclonedx-core-java wrote for the same input before issue 19 took that
 * library (and the XML and JSON-schema stack it pulls in) off the builder's class path: the field order, the fields
 * left out when empty, Jackson's pretty printer. The tests check every document against the CycloneDX 1.6 JSON
 * schema with cyclonedx-core-java's parser and compare the bytes with what that library writes.
 */
public final class CycloneDxSbom {

    public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";
    public static final String FORMAT = "CycloneDX 1.6";
    static final String SPEC_VERSION = "1.6";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String IMAGE_REF = "image";

    /** The JSON and how many components it lists (source files, shipped files and linked components). */
    public record Document(byte[] json, int componentCount) {
        public String text() {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    private CycloneDxSbom() {
    }

    /**
     * @param imageName   what the image is called (its reference or the binary's name)
     * @param binaries    every shipped ELF file with what was linked into it
     * @param otherFiles  the other shipped files (bundled libraries, ...), each with the package it came from
     */
    public static Document write(String imageName, SbomSource source, List<BinaryInventory> binaries,
            List<ShippedFile> otherFiles) {
        Graph graph = new Graph();
        new TreeMap<>(source.inlineFileSha256()).forEach((path, sha256) -> graph.add("source:" + path, sourceFile(path,
                sha256)));
        for (BinaryInventory binary : binaries) {
            Set<String> linked = graph.dependsOn(graph.ship(binary.pathInImage(), binary.sha256(), binary.properties()));
            for (LinkedComponent c : binary.components()) {
                linked.add(graph.addOnce(c)); // one module in two binaries: one entry
            }
        }
        for (ShippedFile shipped : otherFiles) {
            String file = graph.ship(shipped.pathInImage(), shipped.sha256(), Map.of());
            if (shipped.fromPackage() != null) {
                graph.dependsOn(file).add(graph.addOnce(shipped.fromPackage()));
            }
        }
        ObjectNode metadata = metadata(imageName, source);
        String serialNumber = "urn:uuid:" + UUID.nameUUIDFromBytes(
                bom(null, metadata, graph).toString().getBytes(StandardCharsets.UTF_8));
        byte[] json = bom(serialNumber, metadata, graph).toPrettyString().getBytes(StandardCharsets.UTF_8);
        return new Document(json, graph.components.size());
    }

    /**
     * The components by bom-ref in the order first added (a later file at the same path takes the earlier one's
     * place), and the dependency graph: the image depends on every shipped file, each file on what it links. Refs as
     * given: the graph's refs are written as they are, the components' normalized (see {@link #normalized}).
     */
    private static final class Graph {
        final Map<String, ObjectNode> components = new LinkedHashMap<>();
        final Set<String> shipped = new LinkedHashSet<>();
        final List<Map.Entry<String, Set<String>>> dependencies = new ArrayList<>();

        void add(String ref, ObjectNode component) {
            components.put(ref, component);
        }

        /** A file in the image, a component the image depends on; its ref. */
        String ship(String path, String sha256, Map<String, String> properties) {
            String ref = "file:" + path;
            add(ref, fileComponent(ref, path, sha256, properties));
            shipped.add(ref);
            return ref;
        }

        /** A linked component, unless one with its ref is listed already; its ref. */
        String addOnce(LinkedComponent linked) {
            String ref = bomRef(linked);
            components.computeIfAbsent(ref, r -> linkedComponent(r, linked));
            return ref;
        }

        /** A new entry of the dependency graph for {@code ref}, to fill in (entries are not merged by ref). */
        Set<String> dependsOn(String ref) {
            Set<String> refs = new LinkedHashSet<>();
            dependencies.add(Map.entry(ref, refs));
            return refs;
        }
    }

    private static String bomRef(LinkedComponent c) {
        return c.purl() != null ? c.purl() : "library:" + c.name() + "@" + c.version();
    }

    /**
     * A string as cyclonedx-core-java wrote the fields of its model (its TrimStringSerializer): trimmed, line breaks
     * and tabs turned into spaces, runs of spaces made one. Kept so that the SBOM's bytes, and so its digest, stay
     * what they were; the library did not touch the strings it wrote itself (dependency refs, hashes, the vcs
     * reference), and neither do we.
     */
    static String normalized(String text) {
        String spaced = text.trim().replace("\r\n", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ");
        StringBuilder result = new StringBuilder(spaced.length());
        for (int i = 0; i < spaced.length(); i++) {
            char c = spaced.charAt(i);
            if (c != ' ' || i == 0 || spaced.charAt(i - 1) != ' ') {
                result.append(c);
            }
        }
        return result.toString();
    }

    private static ObjectNode bom(String serialNumber, ObjectNode metadata, Graph graph) {
        ObjectNode bom = NODES.objectNode();
        bom.put("bomFormat", "CycloneDX");
        bom.put("specVersion", SPEC_VERSION);
        if (serialNumber != null) {
            bom.put("serialNumber", serialNumber);
        }
        bom.put("version", 1);
        bom.set("metadata", metadata);
        if (!graph.components.isEmpty()) {
            ArrayNode components = bom.putArray("components");
            graph.components.values().forEach(components::add);
        }
        ArrayNode dependencies = bom.putArray("dependencies");
        dependencies.add(dependency(IMAGE_REF, graph.shipped));
        graph.dependencies.forEach(d -> dependencies.add(dependency(d.getKey(), d.getValue())));
        return bom;
    }

    private static ObjectNode dependency(String ref, Set<String> dependsOn) {
        ObjectNode dependency = NODES.objectNode();
        dependency.put("ref", ref);
        ArrayNode refs = dependency.putArray("dependsOn");
        dependsOn.forEach(refs::add);
        return dependency;
    }

    private static ObjectNode metadata(String imageName, SbomSource source) {
        ObjectNode metadata = NODES.objectNode();
        ObjectNode tool = metadata.putObject("tools").putArray("components").addObject();
        tool.put("type", "application");
        tool.put("name", "minimal-image");
        ObjectNode image = metadata.putObject("component");
        image.put("type", "container");
        image.put("bom-ref", IMAGE_REF);
        image.put("name", normalized(imageName));
        if (source.gitUrl() != null) {
            ArrayNode references = image.putArray("externalReferences");
            // the schema's url is an IRI reference: an scp-like `git@host:path` is none, and is left out as
            // cyclonedx-core-java left it out (the commit stays, as a property)
            if (isUri(source.gitUrl())) {
                ObjectNode vcs = references.addObject();
                vcs.put("type", "vcs");
                vcs.put("url", source.gitUrl());
                vcs.put("comment", "commit " + source.commit());
            }
            Map<String, String> commit = new TreeMap<>();
            commit.put(BinaryReader.PREFIX + "source:commit", source.commit()); // null when unknown: a name alone
            image.set("properties", properties(commit));
        }
        return metadata;
    }

    private static boolean isUri(String url) {
        try {
            new URI(url);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static ObjectNode sourceFile(String path, String sha256) {
        return fileComponent("source:" + path, path, sha256, Map.of(BinaryReader.PREFIX + "role", "inline source file"));
    }

    private static ObjectNode fileComponent(String ref, String name, String sha256, Map<String, String> properties) {
        ObjectNode file = NODES.objectNode();
        file.put("type", "file");
        file.put("bom-ref", normalized(ref));
        file.put("name", normalized(name));
        ObjectNode hash = file.putArray("hashes").addObject();
        hash.put("alg", "SHA-256");
        hash.put("content", sha256);
        if (!properties.isEmpty()) {
            file.set("properties", properties(properties));
        }
        return file;
    }

    private static ObjectNode linkedComponent(String ref, LinkedComponent c) {
        ObjectNode component = NODES.objectNode();
        component.put("type", "library");
        component.put("bom-ref", normalized(ref));
        component.put("name", normalized(c.name()));
        putIfNotNull(component, "version", c.version());
        putIfNotNull(component, "purl", c.purl());
        Map<String, String> properties = new TreeMap<>(c.properties());
        properties.put(BinaryReader.PREFIX + "evidence", c.evidence());
        component.set("properties", properties(properties));
        return component;
    }

    private static void putIfNotNull(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, normalized(value));
        }
    }

    /** name/value pairs in the map's order; a pair without a value (null) is a name alone, as the schema allows. */
    private static ArrayNode properties(Map<String, String> values) {
        ArrayNode properties = NODES.arrayNode();
        values.forEach((name, value) -> {
            ObjectNode property = properties.addObject();
            property.put("name", normalized(name));
            putIfNotNull(property, "value", value);
        });
        return properties;
    }
}
