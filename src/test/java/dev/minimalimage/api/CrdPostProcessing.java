package dev.minimalimage.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.MinimalImage;

/**
 * Finishes what the Fabric8 CRD generator wrote into target/crds, in the build right after it (exec-maven-plugin,
 * process-test-classes), so the checked-in copies and CrdDriftTest see the final CRD: puts the printer columns in
 * the model's order ({@link CrdPrinterColumnOrder}), gives the schema's root the description of the resource class
 * (the generator leaves the root without one, so `kubectl explain mimg` would say nothing), and writes the
 * MinimalImage reference ({@link CrdReference}) that scripts/update-crds.sh copies to docs/reference.md.
 * Usage: CrdPostProcessing CRD_DIR REFERENCE_FILE
 */
public final class CrdPostProcessing {

    static final String SCHEMA_ROOT = "openAPIV3Schema:";

    private CrdPostProcessing() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CrdPostProcessing CRD_DIR REFERENCE_FILE");
        }
        Path crds = Path.of(args[0]);
        List<String> order = CrdPrinterColumnOrder.declaredOrder();
        String rootDescription = rootDescription();
        try (var files = Files.list(crds)) {
            for (Path crd : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                String yaml = CrdPrinterColumnOrder.reorder(Files.readString(crd), order);
                Files.writeString(crd, describeRoot(yaml, rootDescription));
            }
        }
        Path reference = Path.of(args[1]);
        Files.createDirectories(reference.toAbsolutePath().getParent());
        Files.writeString(reference, CrdReference.render(Files.readString(crds.resolve(CrdDriftTest.CRD_FILE))));
    }

    static String rootDescription() {
        JsonClassDescription description = MinimalImage.class.getAnnotation(JsonClassDescription.class);
        if (description == null || description.value().isBlank()) {
            throw new IllegalStateException(MinimalImage.class + " needs a @JsonClassDescription: the CRD root's"
                    + " description (kubectl explain mimg)");
        }
        return description.value();
    }

    /**
     * Inserts {@code description} as the first key under every openAPIV3Schema (keys are sorted, and "description"
     * sorts before "properties" and "type"), as a double-quoted scalar: a JSON string is valid YAML.
     */
    static String describeRoot(String yaml, String description) throws JsonProcessingException {
        String quoted = new ObjectMapper().writeValueAsString(description);
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.trim().equals(SCHEMA_ROOT)) {
                String indent = " ".repeat(line.indexOf(SCHEMA_ROOT) + 2);
                if (i + 1 < lines.size() && lines.get(i + 1).startsWith(indent + "description:")) {
                    continue;
                }
                lines.add(i + 1, indent + "description: " + quoted);
            }
        }
        return String.join("\n", lines);
    }
}
