package dev.minimalimage.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The chart's jvmOptions: passed verbatim as the operator container's JDK_JAVA_OPTIONS (read by the java launcher of
 * the image's entrypoint), none when empty, and the default taken as given by the JVM the operator image is built
 * with (scripts/image.sh: Temurin 25 when installed, else the JDK of javac), so a misspelt or unsupported flag fails
 * here and not as an operator pod that never starts.
 */
class OperatorJvmOptionsTest {

    static final String ENV = "JDK_JAVA_OPTIONS";
    /** scripts/image.sh builds the operator's runtime from this JDK when it is installed. */
    static final Path IMAGE_JDK = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @Test
    void defaultIsValuesYamlsAndTheImagesJvmTakesEveryFlagAsGiven() throws Exception {
        String defaults = HelmChartTest.YAML.readTree(HelmChartTest.CHART.resolve("values.yaml").toFile())
                .path("jvmOptions").asText();
        assertThat(defaults).as("values.yaml jvmOptions").isNotBlank();
        Container c = HelmChartTest.operatorContainer(HelmChartTest.render(null).one(Deployment.class));
        assertThat(HelmChartTest.env(c)).containsEntry(ENV, defaults);

        Map<String, String> flags = finalFlags(defaults);
        for (String option : defaults.trim().split("\\s+")) {
            assertThat(option).as("only -XX options are checked here").startsWith("-XX:");
            String flag = option.substring("-XX:".length());
            if (flag.startsWith("+") || flag.startsWith("-")) {
                assertEquals(flag.startsWith("+") ? "true" : "false", flags.get(flag.substring(1)), option);
            } else {
                String[] nameValue = flag.split("=", 2);
                assertEquals(inBytes(nameValue[1]), flags.get(nameValue[0]), option);
            }
        }
    }

    @Test
    void customOptionsPassVerbatimAndEmptySetsNone(@TempDir Path tmp) throws IOException {
        assertThat(envWith(tmp, "jvmOptions: \"-Xmx200m -XX:+UseSerialGC\"")).containsEntry(ENV, "-Xmx200m -XX:+UseSerialGC");
        assertThat(envWith(tmp, "jvmOptions: \"\"")).as("empty = the JVM's own ergonomics").doesNotContainKey(ENV);
    }

    /** A size as the flags table prints it: "16m" is 16777216; a plain number stays as it is. */
    static String inBytes(String value) {
        int unit = "kmg".indexOf(Character.toLowerCase(value.charAt(value.length() - 1)));
        return unit < 0 ? value : "" + (Long.parseLong(value.substring(0, value.length() - 1)) << (10 * (unit + 1)));
    }

    static Map<String, String> envWith(Path tmp, String yaml) throws IOException {
        Path values = Files.writeString(tmp.resolve("values.yaml"), yaml + "\n");
        return HelmChartTest.env(HelmChartTest.operatorContainer(HelmChartTest.render(values).one(Deployment.class)));
    }

    /** -XX:+PrintFlagsFinal of the image's JDK started with the options in JDK_JAVA_OPTIONS, as the image starts. */
    static Map<String, String> finalFlags(String options) throws IOException, InterruptedException {
        Path jdk = Files.isExecutable(IMAGE_JDK.resolve("bin/java")) ? IMAGE_JDK : Path.of(System.getProperty("java.home"));
        ProcessBuilder pb = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-XX:+PrintFlagsFinal", "-version")
                .redirectErrorStream(true);
        pb.environment().put(ENV, options);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("java -version returned").isTrue();
        assertEquals(0, p.exitValue(), () -> jdk + " refused " + options + ":\n" + out);
        Map<String, String> flags = new HashMap<>();
        for (String line : out.lines().toList()) {
            // "     bool UseSerialGC                              = true                    {product} {command line}"
            List<String> words = List.of(line.trim().split("\\s+"));
            if (words.size() >= 4 && words.get(2).equals("=")) {
                flags.put(words.get(1), words.get(3));
            }
        }
        assertThat(flags).as("flags table of " + jdk).isNotEmpty();
        return flags;
    }
}
