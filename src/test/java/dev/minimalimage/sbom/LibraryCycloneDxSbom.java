package dev.minimalimage.sbom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.ExternalReference;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * The SBOM as cyclonedx-core-java writes it from its own model: the writer the builder used before {@link
 * CycloneDxSbom} (issue 19), kept in the tests as an independent writer that our bytes must match.
 */
final class LibraryCycloneDxSbom {

    static final Version VERSION = Version.VERSION_16;

    private LibraryCycloneDxSbom() {
    }

    /**
     * @param imageName   what the image is called (its reference or the binary's name)
     * @param binaries    every shipped ELF file with what was linked into it
     * @param otherFiles  the other shipped files (bundled libraries, ...), each with the package it came from
     */
    static byte[] write(String imageName, SbomSource source, List<BinaryInventory> binaries,
            List<ShippedFile> otherFiles) {
        Map<String, Component> components = new LinkedHashMap<>();
        List<Dependency> dependencies = new ArrayList<>();
        sourceFiles(source).forEach(c -> components.put(c.getBomRef(), c));
        Dependency image = new Dependency(imageRef());
        for (BinaryInventory binary : binaries) {
            Component file = file(binary.pathInImage(), binary.sha256(), binary.properties());
            components.put(file.getBomRef(), file);
            image.addDependency(new Dependency(file.getBomRef()));
            Dependency linked = new Dependency(file.getBomRef());
            for (LinkedComponent c : binary.components()) {
                Component component = linkedComponent(c);
                components.putIfAbsent(component.getBomRef(), component); // one module in two binaries: one entry
                linked.addDependency(new Dependency(component.getBomRef()));
            }
            dependencies.add(linked);
        }
        for (ShippedFile shipped : otherFiles) {
            Component file = file(shipped.pathInImage(), shipped.sha256(), Map.of());
            components.put(file.getBomRef(), file);
            image.addDependency(new Dependency(file.getBomRef()));
            if (shipped.fromPackage() != null) {
                Component origin = linkedComponent(shipped.fromPackage());
                components.putIfAbsent(origin.getBomRef(), origin);
                Dependency packaged = new Dependency(file.getBomRef());
                packaged.addDependency(new Dependency(origin.getBomRef()));
                dependencies.add(packaged);
            }
        }
        dependencies.add(0, image);
        Bom bom = new Bom();
        bom.setMetadata(metadata(imageName, source));
        bom.setComponents(new ArrayList<>(components.values()));
        bom.setDependencies(dependencies);
        ObjectNode unnumbered = withoutTimestamp(bom);
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(unnumbered.toString().getBytes(StandardCharsets.UTF_8)));
        return withoutTimestamp(bom).toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    /** The library stamps metadata.timestamp with the current time; an optional field, dropped for reproducibility. */
    private static ObjectNode withoutTimestamp(Bom bom) {
        ObjectNode json = (ObjectNode) BomGeneratorFactory.createJson(VERSION, bom).toJsonNode();
        if (json.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove("timestamp");
        }
        return json;
    }

    private static String imageRef() {
        return "image";
    }

    private static Metadata metadata(String imageName, SbomSource source) {
        Metadata metadata = new Metadata();
        Component image = new Component();
        image.setType(Component.Type.CONTAINER);
        image.setName(imageName);
        image.setBomRef(imageRef());
        if (source.gitUrl() != null) {
            ExternalReference vcs = new ExternalReference();
            vcs.setType(ExternalReference.Type.VCS);
            vcs.setUrl(source.gitUrl());
            vcs.setComment("commit " + source.commit());
            image.setExternalReferences(List.of(vcs));
            image.setProperties(List.of(property(BinaryReader.PREFIX + "source:commit", source.commit())));
        }
        metadata.setComponent(image);
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName("minimal-image");
        ToolInformation tools = new ToolInformation();
        tools.setComponents(List.of(tool));
        metadata.setToolChoice(tools);
        return metadata;
    }

    private static List<Component> sourceFiles(SbomSource source) {
        List<Component> files = new ArrayList<>();
        source.inlineFileSha256().forEach((path, sha256) -> {
            Component file = new Component();
            file.setType(Component.Type.FILE);
            file.setName(path);
            file.setBomRef("source:" + path);
            file.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, sha256)));
            file.setProperties(List.of(property(BinaryReader.PREFIX + "role", "inline source file")));
            files.add(file);
        });
        return files;
    }

    private static Component file(String path, String sha256, Map<String, String> properties) {
        Component file = new Component();
        file.setType(Component.Type.FILE);
        file.setName(path);
        file.setBomRef("file:" + path);
        file.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, sha256)));
        file.setProperties(properties(properties));
        return file;
    }

    private static Component linkedComponent(LinkedComponent c) {
        Component component = new Component();
        component.setType(Component.Type.LIBRARY);
        component.setName(c.name());
        component.setVersion(c.version());
        component.setPurl(c.purl());
        component.setBomRef(c.purl() != null ? c.purl() : "library:" + c.name() + "@" + c.version());
        Map<String, String> properties = new TreeMap<>(c.properties());
        properties.put(BinaryReader.PREFIX + "evidence", c.evidence());
        component.setProperties(properties(properties));
        return component;
    }

    private static List<Property> properties(Map<String, String> values) {
        List<Property> result = new ArrayList<>();
        values.forEach((name, value) -> result.add(property(name, value)));
        return result.isEmpty() ? null : result;
    }

    private static Property property(String name, String value) {
        Property property = new Property();
        property.setName(name);
        property.setValue(value);
        return property;
    }
}
