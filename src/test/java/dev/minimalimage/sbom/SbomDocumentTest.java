package dev.minimalimage.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Fixtures;
import dev.minimalimage.testsupport.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.Deflater;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SBOMs of real binaries, each validated against the CycloneDX 1.6 JSON schema shipped by cyclonedx-core-java. */
class SbomDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SbomInputs THIS_MACHINE = new SbomInputs(Optional.of(Path.of("/")), Optional.empty());

    @TempDir
    Path dir;

    @Test
    void goModulesWithVersionsAndTheGoVersionAndBuildSettings() throws Exception {
        Path binary = SbomBinaries.goTwoDeps(dir, "-ldflags=-s -w");
        JsonNode bom = validSbom(SbomSource.git("https://example.com/hello.git", "0123abc"), binary);

        assertEquals("pkg:golang/example.com/greet@v1.2.0", component(bom, "example.com/greet").path("purl").asText());
        JsonNode fork = component(bom, "example.com/shout-fork");
        assertEquals("v0.3.2", fork.path("version").asText());
        assertEquals("example.com/shout@v0.3.1", property(fork, "minimalimage:go:replaces"));
        assertEquals(goVersion(), component(bom, "stdlib").path("version").asText());
        JsonNode file = component(bom, "/app/hello");
        assertEquals(Hashing.sha256(binary), file.path("hashes").get(0).path("content").asText());
        assertEquals("0", property(file, "minimalimage:go:build:CGO_ENABLED"));
        assertEquals("-s -w", property(file, "minimalimage:go:build:-ldflags"));
        assertEquals(goVersion(), property(file, "minimalimage:go:version"));
        assertEquals("https://example.com/hello.git",
                bom.path("metadata").path("component").path("externalReferences").get(0).path("url").asText());
        assertEquals(List.of("pkg:golang/stdlib@" + goVersion(), "pkg:golang/example.com/greet@v1.2.0",
                "pkg:golang/example.com/shout-fork@v0.3.2"), dependsOn(bom, "file:/app/hello"));
    }

    @Test
    void muslAndItsDebianVersionFromTheToolchainsDpkgDatabase() throws Exception {
        Path binary = Compilers.muslGcc(dir, "hello", "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n",
                "-static", "-Os");
        JsonNode bom = validSbom(SbomSource.inline(Map.of("hello.c", "ab".repeat(32))), binary);

        String debian = dpkgVersion("musl-dev");
        JsonNode musl = component(bom, "musl");
        assertEquals(debian.substring(0, debian.lastIndexOf('-')), musl.path("version").asText());
        assertEquals("pkg:deb/debian/musl-dev@" + debian + "?arch=amd64", musl.path("purl").asText());
        assertEquals("ab".repeat(32), component(bom, "hello.c").path("hashes").get(0).path("content").asText());
    }

    @Test
    void withoutADpkgDatabaseTheLibcVersionIsSaidToBeUnknown() throws Exception {
        Path binary = Compilers.muslGcc(dir, "hello", "int main(void){return 0;}\n", "-static");
        BinaryInventory inventory = BinaryReader.read(binary, "/app/hello", SbomInputs.NONE);
        LinkedComponent musl = inventory.components().stream().filter(c -> c.name().equals("musl")).findFirst()
                .orElseThrow();
        assertNull(musl.version());
        assertTrue(musl.properties().get("minimalimage:version").startsWith("unknown"), musl.toString());
        validate(CycloneDxSbom.write("hello", SbomSource.UNKNOWN, List.of(inventory), List.of()));
    }

    @Test
    void staticCxxListsLibstdcxxAndLibgccWithTheirDebianVersions() throws Exception {
        Path binary = Compilers.gxx(dir, "hello", "#include <iostream>\nint main(){std::cout << \"hi\\n\";}\n",
                "-static", "-Os");
        JsonNode bom = validSbom(SbomSource.UNKNOWN, binary);

        String gccMajor = gccMajor();
        String libstdcxx = dpkgVersion("libstdc++-" + gccMajor + "-dev");
        assertEquals("pkg:deb/debian/libstdc%2B%2B-" + gccMajor + "-dev@" + libstdcxx.replace("+", "%2B")
                + "?arch=amd64", component(bom, "libstdc++").path("purl").asText());
        assertEquals(dpkgVersion("libc6-dev").replaceAll("-[^-]*$", ""), component(bom, "glibc").path("version")
                .asText());
        assertTrue(component(bom, "libgcc").path("purl").asText().startsWith("pkg:deb/debian/libgcc-" + gccMajor));
    }

    @Test
    void aStaticCProgramHasNoLibstdcxx() throws Exception {
        Path binary = Compilers.gcc(dir, "hello", "int main(void){return 0;}\n", "-static");
        JsonNode bom = validSbom(SbomSource.UNKNOWN, binary);
        assertFalse(names(bom).contains("libstdc++"), names(bom).toString());
        assertTrue(names(bom).contains("glibc"));
    }

    @Test
    void rustCratesFromADepV0SectionWrittenByObjcopy() throws Exception {
        assumeTrue(Compilers.hasRustc(), "rustc is optional");
        Path binary = Compilers.rustc(dir, "hello", "fn main() { println!(\"hi\"); }\n", "-C", "opt-level=1");
        Path json = dir.resolve("dep-v0");
        Files.write(json, zlib("{\"packages\":[{\"name\":\"vendored-hello\",\"version\":\"0.2.0\",\"source\":"
                + "\"local\",\"dependencies\":[1],\"root\":true},{\"name\":\"tinyfmt\",\"version\":\"0.1.3\","
                + "\"source\":\"crates.io\"},{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\","
                + "\"kind\":\"build\"}]}"));
        Path audited = dir.resolve("audited");
        Processes.run(Compilers.TIMEOUT, List.of("objcopy", "--add-section", ".dep-v0=" + json, binary.toString(),
                audited.toString())).requireSuccess("objcopy");

        JsonNode bom = validSbom(SbomSource.UNKNOWN, audited);
        assertEquals("pkg:cargo/tinyfmt@0.1.3", component(bom, "tinyfmt").path("purl").asText());
        assertEquals(".dep-v0", property(component(bom, "tinyfmt"), "minimalimage:evidence"));
        assertEquals("build", property(component(bom, "cc"), "minimalimage:cargo:kind"));
        assertEquals("vendored-hello@0.2.0", property(component(bom, "/app/audited"), "minimalimage:cargo:root"));
    }

    @Test
    void rustCratesFromTheSourcesCargoLockWithoutADepV0Section() throws Exception {
        assumeTrue(Compilers.hasRustc(), "rustc is optional");
        Path binary = Compilers.rustc(dir, "hello", "fn main() { println!(\"hi\"); }\n");
        SbomInputs inputs = new SbomInputs(Optional.empty(),
                Optional.of(Fixtures.ROOT.resolve("cargo-vendored/Cargo.lock")));
        BinaryInventory inventory = BinaryReader.read(binary, "/app/hello", inputs);
        JsonNode bom = validate(CycloneDxSbom.write("hello", SbomSource.UNKNOWN, List.of(inventory), List.of()));

        JsonNode tinyfmt = component(bom, "tinyfmt");
        assertEquals("0.1.3", tinyfmt.path("version").asText());
        assertEquals("59d9dd56cb3f4b7acd278c0abd4a1dd870981055972b22abe197d2e546574ec9",
                property(tinyfmt, "minimalimage:cargo:checksum"));
        assertEquals("Cargo.lock", property(tinyfmt, "minimalimage:evidence"));
        assertEquals("vendored-hello@0.2.0", property(component(bom, "/app/hello"), "minimalimage:cargo:local"));
    }

    @Test
    void theSameInputsGiveTheSameBytes() throws Exception {
        Path binary = Compilers.muslGcc(dir, "hello", "int main(void){return 0;}\n", "-static");
        BinaryInventory inventory = BinaryReader.read(binary, "/app/hello", THIS_MACHINE);
        CycloneDxSbom.Document first = CycloneDxSbom.write("hello", SbomSource.UNKNOWN, List.of(inventory), List.of());
        CycloneDxSbom.Document second = CycloneDxSbom.write("hello", SbomSource.UNKNOWN,
                List.of(BinaryReader.read(binary, "/app/hello", THIS_MACHINE)), List.of());
        assertEquals(first.text(), second.text());
        assertFalse(first.text().contains("timestamp"), first.text());
    }

    @Test
    void inlineSourceFilesAreListedByPath() throws Exception {
        JsonNode bom = validate(CycloneDxSbom.write("inline", SbomSource.inline(Map.of("z/main.c", "11".repeat(32),
                "b.h", "22".repeat(32), "a.c", "33".repeat(32))), List.of(), List.of()));
        assertEquals(List.of("a.c", "b.h", "z/main.c"), names(bom));
        assertEquals("source:a.c", component(bom, "a.c").path("bom-ref").asText());
    }

    private JsonNode validSbom(SbomSource source, Path binary) throws Exception {
        BinaryInventory inventory = BinaryReader.read(binary, "/app/" + binary.getFileName(), THIS_MACHINE);
        return validate(CycloneDxSbom.write("test-image", source, List.of(inventory), List.of()));
    }

    static JsonNode validate(CycloneDxSbom.Document document) throws Exception {
        List<?> problems = new JsonParser().validate(document.json(), Version.VERSION_16);
        assertEquals(List.of(), problems.stream().map(Object::toString).toList(), document.text());
        JsonNode bom = JSON.readTree(document.json());
        assertEquals("1.6", bom.path("specVersion").asText());
        assertEquals(bom.path("components").size(), document.componentCount());
        return bom;
    }

    static JsonNode component(JsonNode bom, String name) {
        for (JsonNode c : bom.path("components")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no component " + name + " in " + names(bom));
    }

    static List<String> names(JsonNode bom) {
        List<String> names = new ArrayList<>();
        bom.path("components").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    static String property(JsonNode component, String name) {
        for (JsonNode p : component.path("properties")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("value").asText();
            }
        }
        throw new AssertionError("no property " + name + " in " + component);
    }

    private static List<String> dependsOn(JsonNode bom, String ref) {
        for (JsonNode d : bom.path("dependencies")) {
            if (d.path("ref").asText().equals(ref)) {
                List<String> refs = new ArrayList<>();
                d.path("dependsOn").forEach(r -> refs.add(r.asText()));
                return refs;
            }
        }
        throw new AssertionError("no dependency entry for " + ref);
    }

    private static String goVersion() {
        String out = Processes.run(Compilers.TIMEOUT, List.of("go", "env", "GOVERSION")).requireSuccess("go env")
                .stdout();
        return out.strip();
    }

    private static String gccMajor() {
        return Processes.run(Compilers.TIMEOUT, List.of("gcc", "-dumpversion")).requireSuccess("gcc").stdout().strip()
                .split("\\.")[0];
    }

    /** The independent reader of the dpkg database: dpkg-query itself. */
    private static String dpkgVersion(String debianPackage) {
        return Processes.run(Compilers.TIMEOUT, List.of("dpkg-query", "-W", "-f=${Version}", debianPackage))
                .requireSuccess("dpkg-query " + debianPackage).stdout().strip();
    }

    private static byte[] zlib(String text) {
        Deflater deflater = new Deflater(9);
        deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
        deflater.finish();
        byte[] buffer = new byte[4096];
        int n = deflater.deflate(buffer);
        deflater.end();
        return java.util.Arrays.copyOf(buffer, n);
    }
}
