package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `package --oci-layout` writes the SBOM as an OCI 1.1 referrer of the image: found from the image's digest alone
 * by walking index.json for a manifest whose subject is that digest, as the referrers API would list it.
 */
class OciLayoutSbomTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSbomIsAReferrerOfTheImageManifestAndTheResultNamesIt(@TempDir Path dir) throws Exception {
        Path binary = Compilers.muslGcc(dir, "hello", "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n",
                "-static", "-Os");
        Path layout = dir.resolve("layout");

        CliRun run = CliRun.of("package", "--oci-layout", layout.toString(), "--toolchain-root", "/",
                binary.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode result = JSON.readTree(run.stdout());
        String imageDigest = result.path("digest").asText();
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests")).hasSize(2);
        JsonNode imageEntry = index.path("manifests").get(0);
        assertThat(imageEntry.path("digest").asText()).isEqualTo(imageDigest);

        JsonNode entry = referrerOf(index, layout, imageDigest);
        assertThat(entry.path("artifactType").asText()).isEqualTo("application/vnd.cyclonedx+json");
        assertThat(entry.has("annotations")).isFalse(); // no ref.name: a tag would make it an image of its own
        JsonNode manifest = blobJson(layout, entry.path("digest").asText());
        assertThat(manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.path("artifactType").asText()).isEqualTo("application/vnd.cyclonedx+json");
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.empty.v1+json");
        JsonNode subject = manifest.path("subject");
        for (String field : List.of("mediaType", "digest", "size")) {
            assertThat(subject.path(field)).as(field).isEqualTo(imageEntry.path(field));
        }
        assertThat(subject.has("annotations")).isFalse(); // the layout's tag is no part of the image
        JsonNode layer = manifest.path("layers").get(0);
        assertThat(manifest.path("layers")).hasSize(1);
        assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.cyclonedx+json");

        byte[] sbom = blob(layout, layer.path("digest").asText());
        assertThat(new JsonParser().validate(sbom, Version.VERSION_16)).isEmpty();
        JsonNode bom = JSON.readTree(sbom);
        assertThat(bom.path("components").toString()).contains("\"musl\"").contains("/app/hello");
        assertThat(result.path("sbom").path("digest").asText()).isEqualTo(layer.path("digest").asText());
        assertThat(result.path("sbom").path("format").asText()).isEqualTo("CycloneDX 1.6");
        assertThat(result.path("sbom").path("components").asInt()).isEqualTo(bom.path("components").size());

        // the image itself is untouched: skopeo, which knows nothing of referrers, still reads it by its tag
        Processes.requireOnPath("skopeo");
        String raw = Processes.run(Duration.ofSeconds(60), List.of("skopeo", "inspect", "--raw",
                "oci:" + layout + ":latest")).requireSuccess("skopeo inspect").stdout();
        assertThat(sha256(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(imageDigest);
    }

    @Test
    void inBundleModeEveryBundledLibraryIsListedWithItsDebianPackage(@TempDir Path dir) throws Exception {
        Path binary = Compilers.gxx(dir, "hello", "#include <iostream>\nint main(){std::cout << \"hi\\n\";}\n");
        Path layout = dir.resolve("layout");

        CliRun run = CliRun.of("package", "--bundle", "--oci-layout", layout.toString(), binary.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode referrer = blobJson(layout, referrerOf(index, layout,
                JSON.readTree(run.stdout()).path("digest").asText()).path("digest").asText());
        byte[] sbom = blob(layout, referrer.path("layers").get(0).path("digest").asText());
        assertThat(new JsonParser().validate(sbom, Version.VERSION_16)).isEmpty();
        JsonNode bom = JSON.readTree(sbom);
        String version = Processes.run(Duration.ofSeconds(30), List.of("dpkg-query", "-W", "-f=${Version}",
                "libstdc++6")).requireSuccess("dpkg-query").stdout().strip();
        String purl = "pkg:deb/debian/libstdc%2B%2B6@" + version.replace("+", "%2B") + "?arch=amd64";
        JsonNode libstdcxx = null;
        for (JsonNode c : bom.path("components")) {
            if (purl.equals(c.path("purl").asText())) {
                libstdcxx = c;
            }
        }
        assertThat(libstdcxx).as(bom.toString()).isNotNull();
        boolean fileDependsOnIt = false;
        for (JsonNode d : bom.path("dependencies")) {
            fileDependsOnIt |= d.path("ref").asText().startsWith("file:") && d.path("ref").asText().contains(
                    "libstdc++.so.6") && d.path("dependsOn").toString().contains(purl);
        }
        assertThat(fileDependsOnIt).as(bom.path("dependencies").toString()).isTrue();
    }

    @Test
    void buildWritesTheSbomWithTheGoModulesAndTheHostToolchainsLibcVersion(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "go");
        Path go = copy(dev.minimalimage.testsupport.Fixtures.ROOT.resolve("sbom-go-two-deps"), dir.resolve("go"));
        CliRun goBuild = CliRun.of("build", "--language", "go", "--source", go.toString(), "--build-dir",
                dir.resolve("work-go").toString(), "--oci-layout", dir.resolve("layout-go").toString());
        assertThat(goBuild.exitCode()).as(goBuild.all()).isZero();
        String goSbom = sbomOf(dir.resolve("layout-go"), goBuild).toString();
        assertThat(goSbom).contains("pkg:golang/example.com/greet@v1.2.0")
                .contains("pkg:golang/example.com/shout-fork@v0.3.2");

        Path c = Files.createDirectories(dir.resolve("c"));
        Files.writeString(c.resolve("main.c"), "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n");
        CliRun cBuild = CliRun.of("build", "--language", "c", "--source", c.toString(), "--build-dir",
                dir.resolve("work-c").toString(), "--oci-layout", dir.resolve("layout-c").toString());
        assertThat(cBuild.exitCode()).as(cBuild.all()).isZero();
        String musl = Processes.run(Duration.ofSeconds(30), List.of("dpkg-query", "-W", "-f=${Version}",
                "musl-dev")).requireSuccess("dpkg-query").stdout().strip();
        assertThat(sbomOf(dir.resolve("layout-c"), cBuild).toString())
                .contains("\"pkg:deb/debian/musl-dev@" + musl + "?arch=amd64\"");
    }

    @Test
    void anArchiveGetsTheSameReferrerAsTheDirectory(@TempDir Path dir) throws Exception {
        Path binary = Compilers.muslGcc(dir, "hello", "int main(void){return 0;}\n", "-static");
        Path archive = dir.resolve("image.tar");
        Path layout = dir.resolve("layout");

        CliRun run = CliRun.of("package", "--oci-archive", archive.toString(), "--oci-layout", layout.toString(),
                binary.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        Processes.run(Duration.ofSeconds(30), List.of("tar", "-xf", archive.toString(), "-C", unpacked.toString()))
                .requireSuccess("tar -x");
        assertThat(Files.readString(unpacked.resolve("index.json")))
                .isEqualTo(Files.readString(layout.resolve("index.json")));
        JsonNode bom = sbomOf(unpacked, run);
        assertThat(bom).isEqualTo(sbomOf(layout, run));
        assertThat(JSON.readTree(run.stdout()).path("sbom").path("components").asInt())
                .isEqualTo(bom.path("components").size());
        CliRun elsewhere = CliRun.of("package", "--oci-layout", dir.resolve("elsewhere").toString(), binary.toString());
        assertThat(JSON.readTree(elsewhere.stdout()).path("sbom").path("digest").asText()).as("reproducible")
                .isEqualTo(JSON.readTree(run.stdout()).path("sbom").path("digest").asText());
        Processes.requireOnPath("skopeo");
        String raw = Processes.run(Duration.ofSeconds(60), List.of("skopeo", "inspect", "--raw",
                "oci-archive:" + archive + ":latest")).requireSuccess("skopeo inspect").stdout();
        assertThat(sha256(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(JSON.readTree(run.stdout()).path("digest").asText());
    }

    /** The SBOM the layout holds as a referrer of the run's image, checked against the CycloneDX 1.6 schema. */
    static JsonNode sbomOf(Path layout, CliRun run) throws Exception {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode referrer = blobJson(layout, referrerOf(index, layout,
                JSON.readTree(run.stdout()).path("digest").asText()).path("digest").asText());
        byte[] sbom = blob(layout, referrer.path("layers").get(0).path("digest").asText());
        assertThat(new JsonParser().validate(sbom, Version.VERSION_16)).isEmpty();
        return JSON.readTree(sbom);
    }

    private static Path copy(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }

    private static JsonNode referrerOf(JsonNode index, Path layout, String subject) throws Exception {
        for (JsonNode entry : index.path("manifests")) {
            JsonNode manifest = blobJson(layout, entry.path("digest").asText());
            if (subject.equals(manifest.path("subject").path("digest").asText())) {
                return entry;
            }
        }
        throw new AssertionError("no referrer of " + subject + " in " + index);
    }

    private static JsonNode blobJson(Path layout, String digest) throws Exception {
        return JSON.readTree(blob(layout, digest));
    }

    private static byte[] blob(Path layout, String digest) throws Exception {
        byte[] bytes = Files.readAllBytes(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
        assertThat(sha256(bytes)).isEqualTo(digest);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
