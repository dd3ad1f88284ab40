package dev.minimalimage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * The CRD YAML is generated from the Java model (crd-generator-maven-plugin, process-classes, into target/crds) and
 * checked in twice: crds/ (for kubectl apply) and the Helm chart's crds/. Both copies must be byte-identical to what
 * the model generates, so a model change without regenerated YAML fails the build.
 */
public class CrdDriftTest {

    public static final Path GENERATED = Path.of("target", "crds");
    public static final Path CHECKED_IN = Path.of("crds");
    public static final Path HELM_CHART_CRDS = Path.of("helm", "minimal-image-operator", "crds");
    public static final String CRD_FILE = "minimalimages.build.minimalimage.dev-v1.yml";

    static final String REGENERATE = "regenerate with `mvn process-test-classes && cp target/crds/*.yml crds/"
            + " && cp target/crds/*.yml helm/minimal-image-operator/crds/` (or scripts/update-crds.sh)";

    @Test
    void generatorProducedTheMinimalImageCrd() {
        assertTrue(Files.isRegularFile(GENERATED.resolve(CRD_FILE)),
                GENERATED.resolve(CRD_FILE) + " is missing: the crd-generator-maven-plugin runs in process-classes;"
                        + " run the tests through Maven (mvn test / mvn verify)");
    }

    @Test
    void checkedInCrdsMatchTheJavaModel() throws IOException {
        assertSameCrds(CHECKED_IN);
    }

    @Test
    void helmChartCrdsMatchTheJavaModel() throws IOException {
        assertSameCrds(HELM_CHART_CRDS);
    }

    /**
     * The plugin generates the embedded core types (EnvVar, Toleration, ...) from its own Fabric8 model; with another
     * Fabric8 version than the operator's, the CRD describes fields the operator does not know (or misses some).
     */
    @Test
    void generatorPluginMatchesTheOperatorsFabric8Version() throws IOException {
        Properties model = new Properties();
        try (InputStream in = ObjectMeta.class.getResourceAsStream(
                "/META-INF/maven/io.fabric8/kubernetes-model-core/pom.properties")) {
            assertNotNull(in, "kubernetes-model-core pom.properties not on the classpath");
            model.load(in);
        }
        Matcher plugin = Pattern.compile(
                "<artifactId>crd-generator-maven-plugin</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(plugin.find(), "crd-generator-maven-plugin not found in pom.xml");
        assertEquals(model.getProperty("version"), plugin.group(1), "crd-generator-maven-plugin must have the"
                + " operator's Fabric8 version (kubernetes-model-core on the classpath), else the CRD's embedded core"
                + " types differ from the model the operator uses and from Quarkus' own CRD");
    }

    /**
     * Fails unless {@code dir} holds exactly the generated *.yml files of target/crds, byte for byte.
     * Public so the Helm chart test can reuse it.
     */
    public static void assertSameCrds(Path dir) throws IOException {
        List<String> generated = ymlFiles(GENERATED);
        if (generated.isEmpty()) {
            fail("no generated CRDs in " + GENERATED + ": run the tests through Maven (the crd-generator-maven-plugin"
                    + " runs in process-classes)");
        }
        List<String> problems = new ArrayList<>();
        for (String name : generated) {
            Path copy = dir.resolve(name);
            if (!Files.isRegularFile(copy)) {
                problems.add(copy + " is missing");
            } else if (!Arrays.equals(Files.readAllBytes(GENERATED.resolve(name)), Files.readAllBytes(copy))) {
                problems.add(copy + " differs from " + GENERATED.resolve(name) + firstDifference(
                        Files.readAllLines(GENERATED.resolve(name)), Files.readAllLines(copy)));
            }
        }
        TreeSet<String> stale = new TreeSet<>(ymlFiles(dir));
        generated.forEach(stale::remove);
        stale.forEach(name -> problems.add(dir.resolve(name) + " is not generated from the model any more (delete it)"));
        if (!problems.isEmpty()) {
            fail(dir + "/ drifted from the Java model: " + REGENERATE + "\n  " + String.join("\n  ", problems));
        }
    }

    public static List<String> ymlFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static String firstDifference(List<String> expected, List<String> actual) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return String.format(" (first at line %d:%n    generated: %s%n    checked in: %s)", i + 1,
                        expected.get(i), actual.get(i));
            }
        }
        return expected.size() == actual.size() ? " (line endings or trailing bytes)"
                : " (generated has " + expected.size() + " lines, the copy " + actual.size() + ")";
    }
}
