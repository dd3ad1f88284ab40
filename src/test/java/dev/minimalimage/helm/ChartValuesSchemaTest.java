package dev.minimalimage.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

/**
 * values.schema.json as a user meets it: `helm lint --strict` (helm-java has no --set for lint, so each case lints a
 * copy of the chart whose values.yaml carries the value) and `helm template --set` (what install and upgrade do
 * first) reject wrong types, values out of range and unknown keys, naming the key; an install without
 * image.repository says how to build and push the image.
 */
class ChartValuesSchemaTest {

    static final String SCHEMA_ERROR = "values don't meet the specifications of the schema(s)";

    @Test
    void lintPassesOnTheDefaultsWithTheImageSet(@TempDir Path tmp) throws IOException {
        Path chart = chartWithValues(tmp, "image.repository", HelmChartTest.TEST_REPOSITORY);
        setValue(chart, "builder.image.repository", HelmChartTest.TEST_BUILDER_REPOSITORY);
        LintResult lint = new Helm(chart).lint().strict().call();
        assertFalse(lint.isFailed(), () -> "helm lint --strict failed:\n" + String.join("\n", lint.getMessages()));
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    /** Each row: a value as values.yaml would hold it (YAML), and what the error must say. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            replicas                  | abc          | at '/replicas': got string, want integer
            replicas                  | 0            | at '/replicas': minimum: got 0, want 1
            replicas                  | 1.5          | at '/replicas': got number, want integer
            maxConcurentBuilds        | 4            | additional properties 'maxConcurentBuilds' not allowed
            watchNamespaces           | foo          | at '/watchNamespaces': got string, want array
            watchNamespaces           | [a, a]       | at '/watchNamespaces': items at 0 and 1 are equal
            maxConcurrentBuilds       | 0            | at '/maxConcurrentBuilds': minimum: got 0, want 1
            reconcileRetries.maxAttempts | -1        | at '/reconcileRetries/maxAttempts': minimum: got -1, want 1
            builder.maxAttempts       | '3'          | at '/builder/maxAttempts': got string, want integer
            builder.caBundle.key      | ''           | at '/builder/caBundle/key': minLength: got 0, want 1
            builder.imagePullSecrets  | regcred      | at '/builder/imagePullSecrets': got string, want array
            builder.image             | mirror.example.com/builder:1 | at '/builder/image': got string, want object
            builder.networkPolicy.enabled | yes please | at '/builder/networkPolicy/enabled': got string, want boolean
            image.pullPolicy          | Sometimes    | at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'
            image.registry            | ghcr.io      | at '/image': additional properties 'registry' not allowed
            imagePullSecrets          | [regcred]    | at '/imagePullSecrets/0': got string, want object
            presets.java              | openjdk:21   | at '/presets': additional properties 'java' not allowed
            presets.go                | ''           | at '/presets/go': minLength: got 0, want 1
            service.port              | 70000        | at '/service/port': maximum: got 70,000, want 65,535
            service.type              | ExternalName | at '/service/type': value must be one of 'ClusterIP', 'NodePort', 'LoadBalancer'
            podAnnotations            | {a: 1}       | at '/podAnnotations/a': got number, want string
            jvmOptions                | [-Xmx128m]   | at '/jvmOptions': got array, want string
            """)
    void lintRejects(String key, String yamlValue, String expected, @TempDir Path tmp) throws IOException {
        Path chart = chartWithValues(tmp, "image.repository", HelmChartTest.TEST_REPOSITORY);
        setValue(chart, "builder.image.repository", HelmChartTest.TEST_BUILDER_REPOSITORY);
        setValue(chart, key, yamlValue);
        LintResult lint = new Helm(chart).lint().strict().call();
        assertTrue(lint.isFailed(), () -> key + "=" + yamlValue + " passed lint: " + lint.getMessages());
        assertThat(String.join("\n", lint.getMessages())).contains(expected);
    }

    /** The three cases, as `helm install --set` gives them. */
    @ParameterizedTest(name = "--set {0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            replicas           | abc | at '/replicas': got string, want integer
            maxConcurentBuilds | 4   | at '': additional properties 'maxConcurentBuilds' not allowed
            watchNamespaces    | foo | at '/watchNamespaces': got string, want array
            """)
    void installRejectsWithSet(String key, String value, String expected) {
        assertThatThrownBy(() -> template().set(key, value).call())
                .hasMessageContaining(SCHEMA_ERROR).hasMessageContaining(expected);
    }

    @Test
    void helmsGlobalIsAllowed() {
        assertThat(template().set("global.imageRegistry", "mirror.example.com").call()).contains("kind: Deployment");
    }

    @Test
    void installWithoutImageRepositorySaysHowToBuildAndPushTheImage() {
        assertThatThrownBy(() -> new Helm(HelmChartTest.CHART).template().withName(HelmChartTest.RELEASE).call())
                .hasMessageContaining("image.repository is not set")
                .hasMessageContaining("scripts/image.sh --image REGISTRY/minimal-image-operator:TAG")
                .hasMessageContaining("--set image.repository=REGISTRY/minimal-image-operator --set image.tag=TAG");
    }

    @Test
    void installWithoutBuilderImageRepositorySaysHowToBuildAndPushIt() {
        assertThatThrownBy(() -> new Helm(HelmChartTest.CHART).template().withName(HelmChartTest.RELEASE)
                .set("image.repository", HelmChartTest.TEST_REPOSITORY).call())
                .hasMessageContaining("builder.image.repository is not set")
                .hasMessageContaining("scripts/image.sh --component builder --image REGISTRY/minimal-image-builder:TAG")
                .hasMessageContaining("--set builder.image.repository=REGISTRY/minimal-image-builder");
    }

    /** One truth per value: the schema declares what values.yaml has (plus Helm's global), no more, no less. */
    @Test
    void schemaDeclaresExactlyTheKeysOfValuesYaml() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(HelmChartTest.CHART.resolve("values.schema.json").toFile());
        JsonNode values = HelmChartTest.YAML.readTree(HelmChartTest.CHART.resolve("values.yaml").toFile());
        Set<String> declared = new TreeSet<>();
        Set<String> present = new TreeSet<>();
        collectDeclared(schema, "", declared);
        collectPresent(schema, values, "", present);
        declared.remove("global");
        assertThat(present).as("keys of values.yaml").isEqualTo(declared);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    static com.marcnuri.helm.TemplateCommand template() {
        return new Helm(HelmChartTest.CHART).template().withName(HelmChartTest.RELEASE)
                .withNamespace(HelmChartTest.NAMESPACE).set("image.repository", HelmChartTest.TEST_REPOSITORY)
                .set("builder.image.repository", HelmChartTest.TEST_BUILDER_REPOSITORY);
    }

    /** A copy of the chart with {@code key} (dotted) set to a YAML value in its values.yaml. */
    static Path chartWithValues(Path tmp, String key, String yamlValue) throws IOException {
        Path chart = tmp.resolve("minimal-image-operator");
        try (Stream<Path> files = Files.walk(HelmChartTest.CHART)) {
            for (Path source : files.toList()) {
                Path target = chart.resolve(HelmChartTest.CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        setValue(chart, key, yamlValue);
        return chart;
    }

    static void setValue(Path chart, String key, String yamlValue) throws IOException {
        Path valuesFile = chart.resolve("values.yaml");
        ObjectNode values = (ObjectNode) HelmChartTest.YAML.readTree(valuesFile.toFile());
        String[] path = key.split("\\.");
        ObjectNode parent = values;
        for (int i = 0; i < path.length - 1; i++) {
            parent = parent.has(path[i]) ? (ObjectNode) parent.get(path[i]) : parent.putObject(path[i]);
        }
        parent.set(path[path.length - 1], HelmChartTest.YAML.readTree(yamlValue));
        HelmChartTest.YAML.writeValue(valuesFile.toFile(), values);
    }

    /** Dotted paths of every property the schema declares, into objects that declare properties. */
    static void collectDeclared(JsonNode schema, String prefix, Set<String> into) {
        Iterator<String> names = schema.path("properties").fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            into.add(prefix + name);
            collectDeclared(schema.path("properties").path(name), prefix + name + ".", into);
        }
    }

    /** Dotted paths of values.yaml, descending only where the schema declares the object's properties. */
    static void collectPresent(JsonNode schema, JsonNode values, String prefix, Set<String> into) {
        Iterator<String> names = values.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            into.add(prefix + name);
            JsonNode child = schema.path("properties").path(name);
            if (child.has("properties")) {
                collectPresent(child, values.get(name), prefix + name + ".", into);
            }
        }
    }
}
