package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.testsupport.PodSteps;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.BuilderPodFactory;
import dev.minimalimage.planning.ToolchainImages;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.KubeletText;
import dev.minimalimage.testsupport.OciLayouts;
import io.fabric8.kubernetes.api.model.Container;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import io.fabric8.kubernetes.api.model.EnvVar;

/**
 * `package --image-config`: the image settings the operator puts in the builder pod arrive in the image exactly as
 * the resource wrote them, through the kubelet's $(VAR) expansion and picocli's parsing; provenance annotations.
 */
class ImageConfigOptionTest {

    static final List<String> TRICKY_ARGS = List.of("--port", "8080", "-h", "--", "@x", "$(HOME)", "a b", "ünï");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static Path binary;

    @BeforeAll
    static void compile() {
        binary = Compilers.muslGcc(work.resolve("bin"), "app", "int main(void){return 0;}\n", "-static", "-Os", "-s");
    }

    @Test
    void imageArgumentsArriveExactlyThroughThePod(@TempDir Path dir) throws Exception {
        MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
        resource.getMetadata().setUid("uid-1");
        resource.getMetadata().setNamespace("ns");
        resource.getSpec().getImage().setArgs(TRICKY_ARGS);
        resource.getSpec().getImage().setEnv(List.of(new LiteralEnvVar("WHERE", "$(HOME) $$ ü")));
        resource.getSpec().getImage().setAnnotations(Map.of("org.opencontainers.image.source", "https://example.org/x",
                "org.opencontainers.image.revision", "mine"));
        Container container = PodSteps.step(new BuilderPodFactory(ToolchainImages.DEFAULTS)
                .create(resource, new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource)), BuilderLayout.PACKAGE_CONTAINER);

        Path layout = dir.resolve("layout");
        Path compiled = Files.writeString(dir.resolve("compile-exit"), "0\n"); // the compile step beside it ended
        CliRun run = CliRun.of(asThePackageStepRuns(container, layout, dir.resolve("result.json"), compiled));

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode config = OciLayouts.config(layout);
        assertThat(JSON.convertValue(config.at("/config/Cmd"), List.class)).isEqualTo(TRICKY_ARGS);
        assertThat(JSON.convertValue(config.at("/config/Env"), List.class)).containsExactly("WHERE=$(HOME) $$ ü");
        assertThat(config.at("/config/Entrypoint/0").asText()).isEqualTo("/app/app");
        JsonNode annotations = OciLayouts.manifest(layout).get("annotations");
        assertThat(annotations.get("org.opencontainers.image.source").asText()).isEqualTo("https://example.org/x");
        assertThat(annotations.get("org.opencontainers.image.revision").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(annotations.get("org.opencontainers.image.created").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }

    /** The container's args after the kubelet's $(VAR) expansion, with the binary and destination of this test. */
    private static String[] asThePackageStepRuns(Container container, Path layout, Path resultFile, Path compiled) {
        Map<String, String> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsKey("HOME"); // so an unescaped $(HOME) would be replaced
        List<String> args = new ArrayList<>(container.getArgs().stream().map(a -> KubeletText.expand(a, env)).toList());
        assertThat(args.subList(0, 2)).containsExactly("package", "/workspace/out/app");
        args.set(1, binary.toString());
        replaceOption(args, "--image", "--oci-layout", layout.toString());
        replaceOption(args, "--result-file", "--result-file", resultFile.toString());
        replaceOption(args, "--await-compile", "--await-compile", compiled.toString());
        return args.toArray(String[]::new);
    }

    private static void replaceOption(List<String> args, String name, String newName, String newValue) {
        int at = args.indexOf(name);
        assertThat(at).as(name + " in " + args).isPositive();
        args.set(at, newName);
        args.set(at + 1, newValue);
    }

    @Test
    void theDocumentAndTheIndividualFlagsDoNotMix(@TempDir Path dir) {
        String layout = dir.resolve("layout").toString();
        CliRun both = CliRun.of("package", binary.toString(), "--oci-layout", layout, "--image-config", "{}",
                "--arg", "x", "--user", "1");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.BAD_ARGUMENTS);
        assertThat(both.stderr()).contains("--image-config").contains("--arg, --user");

        for (String bad : List.of("{\"args\":[\"a\"],\"args\":[\"b\"]}", "{\"argz\":[]}", "[]", "{} {}",
                "{\"env\":[{\"name\":\"A=B\",\"value\":\"c\"}]}")) {
            CliRun refused = CliRun.of("package", binary.toString(), "--oci-layout", layout, "--image-config", bad);
            assertThat(refused.exitCode()).as(bad + ": " + refused.all()).isEqualTo(ExitCodes.BAD_ARGUMENTS);
            assertThat(refused.stderr()).containsAnyOf("--image-config is not a valid image config document",
                    "--image-config has an unknown key \"argz\"; allowed: ");
        }
    }

    @Test
    void anAtArgumentIsAStringNotAFileReference(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("args"), "--expanded\n");
        Path layout = dir.resolve("layout");
        CliRun run = CliRun.of("package", binary.toString(), "--oci-layout", layout.toString(), "--arg", "@" + file);
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(OciLayouts.config(layout).at("/config/Cmd/0").asText()).isEqualTo("@" + file);
    }

    @Test
    void sourceInfoAnnotatesTheManifestAndOursWin(@TempDir Path dir) throws IOException {
        Path info = Files.writeString(dir.resolve("source-info.json"),
                "{\"url\":\"https://example.org/repo.git\",\"commit\":\"0123abc\",\"commitTime\":1704164645}");
        Path layout = dir.resolve("layout");
        CliRun run = CliRun.of("package", binary.toString(), "--oci-layout", layout.toString(), "--source-info",
                info.toString(), "--annotation", "org.opencontainers.image.revision=theirs", "--annotation",
                "org.opencontainers.image.source=elsewhere", "--annotation", "team=a");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(JSON.convertValue(OciLayouts.manifest(layout).get("annotations"), Map.class)).isEqualTo(Map.of(
                "org.opencontainers.image.source", "https://example.org/repo.git",
                "org.opencontainers.image.revision", "0123abc",
                "org.opencontainers.image.created", "2024-01-02T03:04:05Z",
                "team", "a"));
    }
}
