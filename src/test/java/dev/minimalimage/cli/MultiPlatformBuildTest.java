package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.BuildResult.PlatformResult;
import dev.minimalimage.result.ResultReason;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import picocli.CommandLine;

/**
 * `build --platform linux/amd64,linux/arm64` with the host's real compilers (Go's own cross compiler; Debian's
 * aarch64-linux-gnu-gcc with its static glibc), the real registry, skopeo as the independent reader of the index,
 * `file` and `go version -m` as independent readers of the binaries, and qemu-aarch64-static running the arm64 image
 * from an empty root.
 */
class MultiPlatformBuildTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    @TempDir
    static Path work;
    static LocalRegistry registry;
    static Path goSource;
    static Path cSource;

    @BeforeAll
    static void startRegistryAndWriteSources() throws Exception {
        Processes.requireOnPath("go", "aarch64-linux-gnu-gcc", "qemu-aarch64-static", "skopeo", "file");
        registry = LocalRegistry.start(work.resolve("registry"));
        goSource = Files.createDirectories(work.resolve("go"));
        Files.writeString(goSource.resolve("go.mod"), "module example.com/hello\n\ngo 1.19\n");
        Files.writeString(goSource.resolve("main.go"), "package main\nimport (\"fmt\"; \"runtime\")\n"
                + "func main(){ fmt.Println(\"hello from\", runtime.GOARCH) }\n");
        cSource = Files.createDirectories(work.resolve("c"));
        Files.writeString(cSource.resolve("hello.c"), "#include <stdio.h>\n"
                + "int main(void) { puts(sizeof(void *) == 8 ? \"hello, 64-bit\" : \"hello\"); return 0; }\n");
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aGoProgramForTwoPlatformsIsOneIndexWhoseArm64ImageRunsUnderQemuAndEachHasItsSbom() throws Exception {
        CliRun run = build("go", goSource, "--image", registry.host() + "/multi/go:v1", "--insecure",
                "--smoke-test=", "--smoke-output-pattern", "hello from (amd64|arm64)");

        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        JsonNode index = JSON.readTree(output("skopeo", "inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/multi/go:v1"));
        assertThat(index.path("mediaType").asText()).isEqualTo(INDEX);
        assertThat(platformsOf(index)).containsExactly("linux/amd64", "linux/arm64");
        byte[] pushed = registry.api().manifest("multi/go", "v1", INDEX).orElseThrow();
        assertThat("sha256:" + sha256(pushed)).as("the index as pushed").isEqualTo(result.digest());
        assertThat(result.image()).isEqualTo(registry.host() + "/multi/go@" + result.digest());

        List<PlatformResult> platforms = result.platforms();
        assertThat(platforms).extracting(PlatformResult::platform).containsExactly("linux/amd64", "linux/arm64");
        for (int i = 0; i < 2; i++) {
            assertThat(platforms.get(i).digest()).isEqualTo(index.path("manifests").get(i).path("digest").asText());
            JsonNode config = registry.api().config("multi/go", platforms.get(i).digest());
            assertThat(config.path("architecture").asText()).isEqualTo(i == 0 ? "amd64" : "arm64");
            assertThat(platforms.get(i).link().verdict()).isEqualTo("Static");
            assertThat(platforms.get(i).smokeTest().passed()).as(run.all()).isTrue();
            assertThat(platforms.get(i).sbom()).isNotNull();
            JsonNode referrers = JSON.readTree(registry.api().manifest("multi/go",
                    platforms.get(i).digest().replace(':', '-'), INDEX).orElseThrow());
            assertThat(referrers.path("manifests").get(0).path("digest").asText())
                    .as("each platform image's SBOM is found from its digest alone")
                    .isEqualTo(platforms.get(i).sbom().referrer());
        }
        assertThat(platforms.get(0).link().machine()).isEqualTo("x86-64");
        assertThat(platforms.get(1).link().machine()).isEqualTo("AArch64");
        assertThat(platforms.get(1).smokeTest().output()).contains("hello from arm64");
        assertThat(platforms.get(1).smokeTest().message()).contains("emulated by qemu-aarch64-static");
        assertThat(platforms.get(0).smokeTest().output()).contains("hello from amd64");

        Path arm64Layout = work.resolve("go-layout");
        CliRun again = build("go", goSource, "--oci-layout", arm64Layout.toString(), "--build-dir",
                work.resolve("go-build").toString());
        assertThat(again.result().digest()).as("reproducible: the same index from another build directory")
                .isEqualTo(result.digest());
        Path arm64Binary = work.resolve("go-build/linux-arm64/out/app");
        assertThat(output("file", "-b", arm64Binary.toString())).contains("ARM aarch64")
                .contains("statically linked");
        String goVersion = output("go", "version", "-m", arm64Binary.toString());
        assertThat(goVersion).as("the Go linker's own record, read by go itself").contains("GOARCH=arm64");
        byte[] sbom = sbomOf(arm64Layout, again.result().platforms().get(1).sbom().digest());
        assertThat(new JsonParser().validate(sbom, Version.VERSION_16)).isEmpty();
        assertThat(new String(sbom, StandardCharsets.UTF_8)).contains("GOARCH").contains("arm64");
    }

    @Test
    void aCProgramForArm64IsCrossCompiledWithStaticGlibcAndAPlatformNamedOnceIsAPlainManifest() throws Exception {
        CliRun arm64 = build("c", cSource, "--libc", "glibc", "--platform", "linux/arm64", "--oci-layout",
                work.resolve("c-arm64").toString(), "--smoke-test=", "--smoke-output-pattern", "hello, 64-bit");
        assertThat(arm64.exitCode()).as(arm64.all()).isZero();
        BuildResult result = arm64.result();
        assertThat(result.platforms()).as("one platform: no index").isNull();
        assertThat(result.link().machine()).isEqualTo("AArch64");
        assertThat(result.link().libc()).isEqualTo("glibc");
        assertThat(result.smokeTest().passed()).isTrue();
        JsonNode manifest = JSON.readTree(output("skopeo", "inspect", "--raw", "oci:"
                + work.resolve("c-arm64") + ":latest"));
        assertThat(manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");

        CliRun named = build("c", cSource, "--platform", "linux/amd64", "--oci-layout",
                work.resolve("c-amd64").toString());
        CliRun unnamed = CliRun.of("build", "--language", "c", "--source", cSource.toString(), "--oci-layout",
                work.resolve("c-default").toString());
        assertThat(named.exitCode()).as(named.all()).isZero();
        assertThat(unnamed.exitCode()).as(unnamed.all()).isZero();
        assertThat(named.result().digest()).as("--platform of this machine changes no byte").startsWith("sha256:")
                .isEqualTo(unnamed.result().digest());
    }

    @Test
    void aForeignPlatformWithoutAnEmulatorIsNotRunNeverPassedAndFailsUnlessTheTestIsOptional() throws Exception {
        CommandLine.IFactory hostWithoutQemu = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = CommandLine.defaultFactory().create(type);
                if (command instanceof BuildCommand build) {
                    build.sandbox = Sandbox.HOST.withSearchPath(work.resolve("empty-path").toString());
                }
                return command;
            }
        };
        List<String> args = List.of("build", "--language", "go", "--source", goSource.toString(), "--platform",
                "linux/amd64,linux/arm64", "--oci-layout", work.resolve("no-qemu").toString(), "--smoke-test=",
                "--cache-dir", work.resolve("cache").toString());

        CliRun required = CliRun.of(hostWithoutQemu, args.toArray(String[]::new));
        assertThat(required.exitCode()).as(required.all()).isEqualTo(ResultReason.SmokeTestNotRun.exitCode());
        BuildResult notRun = required.result();
        assertThat(notRun.message()).startsWith("linux/arm64: smoke test could not run here")
                .contains("no qemu-aarch64-static");
        assertThat(notRun.platforms().get(0).smokeTest().passed()).isTrue();
        assertThat(notRun.platforms().get(1).smokeTest().ran()).isFalse();
        assertThat(notRun.platforms().get(1).smokeTest().passed()).isNull();

        List<String> optional = new ArrayList<>(args);
        optional.add("--smoke-test-optional");
        CliRun accepted = CliRun.of(hostWithoutQemu, optional.toArray(String[]::new));
        assertThat(accepted.exitCode()).as(accepted.all()).isZero();
        assertThat(accepted.result().platforms().get(1).smokeTest().ran()).isFalse();
        assertThat(accepted.stderr()).contains("linux/arm64").contains("smoke test linux/arm64:")
                .contains("(not run)");
    }

    @Test
    void aBinaryForAnotherMachineIsAPlatformMismatchNamingBothAndNothingIsWritten() throws Exception {
        Path amd64 = PackagePushTest.staticHello(Files.createDirectories(work.resolve("mismatch")));
        Path layout = work.resolve("mismatch-layout");

        CliRun run = CliRun.of("package", "--platform", "linux/arm64", "--oci-layout", layout.toString(),
                amd64.toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ResultReason.PlatformMismatch.exitCode());
        assertThat(run.result().reason()).isEqualTo("PlatformMismatch");
        assertThat(run.result().message()).contains("x86-64").contains("linux/arm64").contains("AArch64");
        assertThat(layout).doesNotExist();

        CliRun script = build("custom", goSource, "--script", "go build -o \"$OUT\" .", "--compile-env",
                "CGO_ENABLED=0", "--oci-layout", layout.toString());
        assertThat(script.exitCode()).as("a custom script that ignores TARGETARCH: " + script.all())
                .isEqualTo(ResultReason.PlatformMismatch.exitCode());
        assertThat(script.result().message()).startsWith("linux/arm64: ");
        assertThat(layout).as("no platform delivered unless all are").doesNotExist();
    }

    @Test
    void theCMuslPresetRefusesACrossBuildItHasNoCompilerForAndSaysWhatWould() throws Exception {
        CliRun run = build("c", cSource, "--oci-layout", work.resolve("musl").toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ResultReason.ToolchainToolMissing.exitCode());
        assertThat(run.result().reason()).isEqualTo("ToolchainToolMissing");
        assertThat(run.stderr()).contains("aarch64-linux-musl-gcc").contains("libc glibc");
    }

    @Test
    void rustWithoutTheTargetsStandardLibraryIsRefusedNamingItAndHowToGetIt() throws Exception {
        Processes.requireOnPath("rustc");
        Path rust = Files.createDirectories(work.resolve("rust"));
        Files.writeString(rust.resolve("main.rs"), "fn main() { println!(\"hello\"); }\n");
        String libdir = output("rustc", "--print", "target-libdir", "--target", "aarch64-unknown-linux-gnu").strip();
        assertThat(Files.exists(Path.of(libdir))).as("this host's rustc has no aarch64 std (rustup: x86_64 only),"
                + " which is the case this test is about").isFalse();

        CliRun run = build("rust", rust, "--platform", "linux/arm64", "--oci-layout", work.resolve("rust-arm64")
                .toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ResultReason.ToolchainToolMissing.exitCode());
        assertThat(run.stderr()).contains("aarch64-unknown-linux-gnu").contains("rustup target add")
                .contains("libstd-rust-dev:arm64");
    }

    /** `build` for linux/amd64 and linux/arm64 (unless the options name a platform). */
    private static CliRun build(String language, Path source, String... options) {
        List<String> args = new ArrayList<>(List.of("build", "--language", language, "--source", source.toString(),
                "--cache-dir", work.resolve("cache").toString()));
        if (!List.of(options).contains("--platform")) {
            args.addAll(List.of("--platform", "linux/amd64,linux/arm64"));
        }
        args.addAll(List.of(options));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static String output(String... command) {
        return Processes.run(Duration.ofSeconds(60), List.of(command)).requireSuccess(String.join(" ", command))
                .stdout();
    }

    private static List<String> platformsOf(JsonNode index) {
        List<String> platforms = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            platforms.add(entry.path("platform").path("os").asText() + "/"
                    + entry.path("platform").path("architecture").asText());
        }
        return platforms;
    }

    /** The SBOM blob in an OCI layout. */
    private static byte[] sbomOf(Path layout, String digest) throws Exception {
        return Files.readAllBytes(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
