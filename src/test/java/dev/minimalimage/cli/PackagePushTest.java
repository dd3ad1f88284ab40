package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * The packing end against real parts: binaries from real compilers, a real registry on 127.0.0.1, skopeo as the
 * independent client, and the pulled image run from an otherwise empty root.
 */
class PackagePushTest {

    static final String HELLO_C = "#include <stdio.h>\nint main(int c, char **v){printf(\"hello from scratch%s%s\\n\", c>1?\" \":\"\", c>1?v[1]:\"\");return 0;}\n";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static LocalRegistry registry;
    static Path muslHello;
    static Path glibcDynamic;

    @BeforeAll
    static void startRegistryAndCompile() throws IOException {
        Processes.requireOnPath("musl-gcc", "gcc", "skopeo", "tar");
        registry = LocalRegistry.start(work.resolve("registry"));
        Path src = Files.writeString(work.resolve("hello.c"), HELLO_C);
        muslHello = compile("musl-gcc", src, "hello", "-static", "-Os", "-s", "-Wl,--gc-sections");
        glibcDynamic = compile("gcc", src, "hello-dyn", "-Os");
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    static Path compile(String compiler, Path source, String name, String... flags) {
        return compileTo(compiler, source, work.resolve(name), flags);
    }

    static Path compileTo(String compiler, Path source, Path out, String... flags) {
        List<String> command = new java.util.ArrayList<>(List.of(compiler, "-o", out.toString(), source.toString()));
        command.addAll(List.of(flags));
        Processes.run(Duration.ofSeconds(120), command).requireSuccess(compiler);
        return out;
    }

    /** HELLO_C built static with musl-gcc in {@code dir}: for the tests that only need something to push. */
    static Path staticHello(Path dir) throws IOException {
        Processes.requireOnPath("musl-gcc");
        Path src = Files.writeString(dir.resolve("hello.c"), HELLO_C);
        Path out = dir.resolve("hello");
        Processes.run(Duration.ofSeconds(120), List.of("musl-gcc", "-static", "-Os", "-o", out.toString(),
                src.toString())).requireSuccess("musl-gcc");
        return out;
    }

    @Test
    void pushedImageMatchesTheRegistryAndRunsFromAnEmptyRoot() throws Exception {
        String ref = registry.host() + "/hello:v1";
        CliRun run = CliRun.of("package", muslHello.toString(), "--image", ref, "--insecure", "--arg", "world");
        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();

        byte[] served = registry.manifest("hello", "v1");
        assertThat(sha256(served)).isEqualTo(result.digest());
        assertThat(registry.dockerContentDigest("hello", "v1")).contains(result.digest());
        String skopeoRaw = Skopeo.inspectRaw(ref);
        assertThat(sha256(skopeoRaw.getBytes(StandardCharsets.UTF_8))).isEqualTo(result.digest());
        assertThat(result.compressedSize()).isEqualTo(registry.api().storedBytes("hello", served));
        assertThat(result.image()).isEqualTo(registry.host() + "/hello@" + result.digest());
        assertThat(result.binarySize()).isEqualTo(Files.size(muslHello));
        assertThat(result.link().verdict()).isEqualTo("Static");
        assertThat(result.link().libc()).isEqualTo("musl");

        Path rootfs = Skopeo.pullRootfs(result.image(), work.resolve("pull-musl"));
        try (var files = Files.walk(rootfs)) {
            assertThat(files.filter(Files::isRegularFile).map(rootfs::relativize).map(Path::toString))
                    .containsExactly("app/hello");
        }
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", "/app/hello", "world");
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        assertThat(ran.stdout()).isEqualTo("hello from scratch world\n");
        JsonNode config = imageConfig(served, "hello");
        assertThat(config.at("/config/User").asText()).isEqualTo("65532");
        assertThat(config.at("/config/Entrypoint/0").asText()).isEqualTo("/app/hello");
        assertThat(config.at("/config/Cmd/0").asText()).isEqualTo("world");
        assertThat(config.at("/architecture").asText()).isEqualTo("amd64");
    }

    @Test
    void sameInputsGiveTheSameDigestWhereverTheyGo() throws Exception {
        String[] options = { "--port", "8080", "--env", "MODE=prod", "--label", "b=2", "--label", "a=1",
                "--annotation", "org.opencontainers.image.source=https://example.org/x", "--passwd", "--tmp" };
        BuildResult first = packageTo("--image", registry.host() + "/repro-a:1", options);
        BuildResult second = packageTo("--image", registry.host() + "/repro-b:1", options);
        Path archive = work.resolve("repro.tar");
        BuildResult layout = packageTo("--oci-archive", archive.toString(), options);
        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(layout.digest()).isEqualTo(first.digest());
        assertThat(layout.compressedSize()).isEqualTo(first.compressedSize());
        assertThat(Files.size(archive)).isPositive();
        String[] reordered = { "--label", "a=1", "--label", "b=2", "--env", "MODE=prod", "--port", "8080/tcp",
                "--tmp", "--passwd", "--annotation", "org.opencontainers.image.source=https://example.org/x" };
        assertThat(packageTo("--oci-layout", work.resolve("reordered").toString(), reordered).digest())
                .isEqualTo(first.digest());
        assertThat(packageTo("--oci-layout", work.resolve("other").toString(), "--port", "9090").digest())
                .isNotEqualTo(first.digest());
    }

    private BuildResult packageTo(String destinationFlag, String destination, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("package", muslHello.toString(), destinationFlag,
                destination, "--insecure"));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.all()).isZero();
        return run.result();
    }

    @Test
    void extrasLandWithTheirModesAndZstdLayersPullBack() throws Exception {
        Path fakeBundle = Files.writeString(work.resolve("bundle.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        String ref = registry.host() + "/extras:z";
        CliRun run = CliRun.of("package", muslHello.toString(), "--image", ref, "--insecure", "--compression", "zstd",
                "--passwd", "--tmp", "--ca-certs", fakeBundle.toString(), "--path", "/bin/hello");
        assertThat(run.exitCode()).as(run.all()).isZero();
        Path rootfs = Skopeo.pullRootfs(run.result().image(), work.resolve("pull-extras"));
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains("nonroot:x:65532:65532:");
        assertThat(Files.readString(rootfs.resolve("etc/group"))).contains("nonroot:x:65532:");
        assertThat(Files.readString(rootfs.resolve("etc/ssl/certs/ca-certificates.crt"))).contains("BEGIN CERTIFICATE");
        assertThat(Processes.run(Duration.ofSeconds(10), List.of("stat", "-c", "%a", rootfs.resolve("tmp").toString()))
                .stdout().trim()).isEqualTo("1777");
        assertThat(Skopeo.runInRoot(rootfs, "65532", "/bin/hello").stdout()).isEqualTo("hello from scratch\n");
        JsonNode manifest = JSON.readTree(registry.manifest("extras", "z"));
        assertThat(manifest.at("/layers/0/mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
    }

    @Test
    void dynamicBinaryIsRefusedNamingWhatItNeeds() {
        CliRun run = CliRun.of("package", glibcDynamic.toString(), "--image", registry.host() + "/dyn:refused",
                "--insecure");
        assertThat(run.exitCode()).isEqualTo(3);
        BuildResult result = run.result();
        assertThat(result.reason()).isEqualTo("DynamicDependency");
        assertThat(result.message()).contains("libc.so.6").contains("--allow-dynamic");
        assertThat(result.link().needed()).contains("libc.so.6");
        assertThat(result.digest()).isNull();
    }

    @Test
    void dynamicBinaryPackagedWithTheOverrideFailsOnScratch() throws Exception {
        CliRun run = CliRun.of("package", glibcDynamic.toString(), "--image", registry.host() + "/dyn:forced",
                "--insecure", "--allow-dynamic");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.result().link().verdict()).isEqualTo("Dynamic");
        Path rootfs = Skopeo.pullRootfs(run.result().image(), work.resolve("pull-dyn"));
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", "/app/hello-dyn");
        assertThat(ran.exitCode()).isNotZero();
        // the kernel cannot find the interpreter /lib64/ld-linux-x86-64.so.2 and reports the binary itself as missing
        assertThat(ran.stderr()).contains("/app/hello-dyn").contains("No such file or directory");
        assertThat(Files.exists(rootfs.resolve("app/hello-dyn"))).isTrue();
    }

    @Test
    void unreachableRegistryAndBadArgumentsHaveTheirOwnExitCodes(@TempDir Path dir) throws IOException {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Path resultFile = dir.resolve("termination-log");
        CliRun unreachable = CliRun.of("package", muslHello.toString(), "--image", "127.0.0.1:" + closedPort + "/x:1",
                "--insecure", "--retries", "2", "--result-file", resultFile.toString());
        assertThat(unreachable.exitCode()).as(unreachable.all()).isEqualTo(5);
        assertThat(unreachable.result().reason()).isEqualTo("RegistryUnavailable");
        assertThat(unreachable.stderr()).contains("retrying");
        assertThat(BuildResult.parse(Files.readString(resultFile)).reason()).isEqualTo("RegistryUnavailable");

        assertThat(CliRun.of("package", muslHello.toString()).exitCode()).isEqualTo(2);
        assertThat(CliRun.of("package", muslHello.toString(), "--oci-layout", dir.toString(), "--port", "99999")
                .exitCode()).isEqualTo(2);
        assertThat(CliRun.of("package", dir.resolve("missing").toString(), "--oci-layout", dir.toString())
                .exitCode()).isEqualTo(2);
        assertThat(CliRun.of("package", "--no-such-flag").exitCode()).isEqualTo(2);
        Path script = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        CliRun notElf = CliRun.of("package", script.toString(), "--oci-layout", dir.resolve("l").toString());
        assertThat(notElf.exitCode()).isEqualTo(3);
        assertThat(notElf.result().reason()).isEqualTo("UnsupportedBinary");
    }

    @Test
    void authenticatedRegistryTakesRightCredentialsAndNeverEchoesThem(@TempDir Path dir) throws IOException {
        String password = "s3cret-Pa55-" + System.nanoTime();
        try (LocalRegistry secured = LocalRegistry.start(dir.resolve("auth-registry"), "builder", password)) {
            Path good = dockerConfig(dir.resolve("good.json"), secured.host(), "builder", password);
            Path bad = dockerConfig(dir.resolve("bad.json"), secured.host(), "builder", password + "-wrong");
            Path resultFile = dir.resolve("termination-log");

            CliRun pushed = CliRun.of("package", muslHello.toString(), "--image", secured.host() + "/private:1",
                    "--insecure", "--docker-config", good.toString());
            assertThat(pushed.exitCode()).as(pushed.all()).isZero();
            assertThat(secured.dockerContentDigest("private", "1")).contains(pushed.result().digest());

            CliRun refused = CliRun.of("package", muslHello.toString(), "--image", secured.host() + "/private:2",
                    "--insecure", "--docker-config", bad.toString(), "--result-file", resultFile.toString());
            assertThat(refused.exitCode()).as(refused.all()).isEqualTo(4);
            assertThat(refused.result().reason()).isEqualTo("PushUnauthorized");

            CliRun anonymous = CliRun.of("package", muslHello.toString(), "--image", secured.host() + "/private:3",
                    "--insecure", "--docker-config", dir.resolve("none.json").toString());
            assertThat(anonymous.exitCode()).as(anonymous.all()).isEqualTo(4);

            for (String output : List.of(pushed.all(), refused.all(), anonymous.all(), Files.readString(resultFile))) {
                assertThat(output).doesNotContain(password);
                assertThat(output).doesNotContain(java.util.Base64.getEncoder()
                        .encodeToString(("builder:" + password).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static Path dockerConfig(Path file, String registryHost, String user, String password) throws IOException {
        String auth = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return Files.writeString(file, "{\"auths\":{\"" + registryHost + "\":{\"auth\":\"" + auth + "\"}}}");
    }


    private static JsonNode imageConfig(byte[] manifestBytes, String repository) throws Exception {
        String digest = JSON.readTree(manifestBytes).at("/config/digest").asText();
        String raw = Skopeo.inspectConfig(registry.host() + "/" + repository + "@" + sha256(manifestBytes));
        JsonNode config = JSON.readTree(raw);
        assertThat(sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(digest);
        return config;
    }

    static String sha256(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
