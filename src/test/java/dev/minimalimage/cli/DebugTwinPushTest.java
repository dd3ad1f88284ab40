package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.minimalimage.image.DebugTwin;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * `package --debug-tag`: the twin against a real registry on 127.0.0.1 (with its access log, to count uploads), read
 * back with skopeo and the registry API, and its shell run from an otherwise empty root. Needs Debian's
 * busybox-static at /bin/busybox (scripts/setup-deps.sh installs it).
 */
class DebugTwinPushTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static LocalRegistry registry;
    static Path hello;
    static Path busybox = Path.of(DebugTwin.DEFAULT_BUSYBOX);

    @BeforeAll
    static void startRegistryAndCompile() throws IOException {
        Processes.requireOnPath("musl-gcc", "gcc", "skopeo", "tar");
        assertThat(busybox).as("Debian's busybox-static (scripts/setup-deps.sh)").isRegularFile();
        registry = LocalRegistry.startWithAccessLog(work.resolve("registry"));
        hello = PackagePushTest.staticHello(Files.createDirectories(work.resolve("src")));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void twinSharesTheLayersRunsAShellAndLeavesTheImageAsItWas() throws Exception {
        String[] settings = { "--env", "MODE=debug", "--arg", "world", "--passwd" };
        BuildResult plain = pack("plain/hello:1", settings);
        BuildResult result = pack("debug/hello:1", concat(settings, "--debug-tag", "1-debug"));

        // the image is the one a run without --debug-tag makes, and both are in the registry
        assertThat(result.digest()).isEqualTo(plain.digest());
        assertThat(plain.debugImage()).isNull();
        assertThat(result.debugDigest()).isNotNull().isNotEqualTo(result.digest());
        assertThat(result.debugImage()).isEqualTo(registry.host() + "/debug/hello@" + result.debugDigest());
        byte[] main = registry.manifest("debug/hello", "1");
        byte[] twin = registry.manifest("debug/hello", "1-debug");
        assertThat(PackagePushTest.sha256(main)).isEqualTo(result.digest());
        assertThat(PackagePushTest.sha256(twin)).isEqualTo(result.debugDigest());
        assertThat(registry.dockerContentDigest("debug/hello", "1-debug")).contains(result.debugDigest());
        assertThat(PackagePushTest.sha256(Skopeo.inspectRaw(registry.host() + "/debug/hello:1-debug")
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(result.debugDigest());

        // the same layer blobs first, then busybox; the app layer was uploaded once
        JsonNode mainLayers = JSON.readTree(main).get("layers");
        JsonNode twinLayers = JSON.readTree(twin).get("layers");
        assertThat(twinLayers).hasSize(mainLayers.size() + 1);
        for (int i = 0; i < mainLayers.size(); i++) {
            assertThat(twinLayers.get(i)).isEqualTo(mainLayers.get(i));
        }
        assertThat(JSON.readTree(twin).get("annotations")).isEqualTo(JSON.readTree(main).get("annotations"));
        String appLayer = mainLayers.get(0).get("digest").asText().substring("sha256:".length());
        assertThat(Files.readAllLines(registry.log()).stream()
                .filter(line -> line.contains("\"PUT /v2/debug/hello/blobs/uploads/") && line.contains(appLayer)))
                .hasSize(1);

        // the same config but for PATH (and the extra diff_id)
        JsonNode mainConfig = registry.api().config("debug/hello", "1");
        JsonNode twinConfig = registry.api().config("debug/hello", "1-debug");
        assertThat(mainConfig.at("/config/Env")).hasSize(1);
        assertThat(twinConfig.at("/config/Env").toString()).isEqualTo("[\"MODE=debug\",\"PATH=/bin\"]");
        ObjectNode withoutEnvAndRootfs = ((ObjectNode) twinConfig.deepCopy());
        ((ObjectNode) withoutEnvAndRootfs.get("config")).set("Env", mainConfig.at("/config/Env"));
        withoutEnvAndRootfs.set("rootfs", mainConfig.get("rootfs"));
        assertThat(withoutEnvAndRootfs).isEqualTo(mainConfig);
        assertThat(twinConfig.at("/rootfs/diff_ids")).hasSize(mainLayers.size() + 1);

        // a shell in the twin, from an otherwise empty root, as the image's user
        Path rootfs = Skopeo.pullRootfs(result.debugImage(), work.resolve("pull-twin"));
        Processes.Result ls = Skopeo.runInRoot(rootfs, "65532", "/bin/sh", "-c", "ls /app");
        assertThat(ls.exitCode()).as(ls.stderr()).isZero();
        assertThat(ls.stdout()).isEqualTo("hello\n");
        Processes.Result app = Skopeo.runInRoot(rootfs, "65532", "/bin/sh", "-c", "cat /etc/passwd | wc -l; /app/hello x");
        assertThat(app.stdout()).as(app.stderr()).isEqualTo("2\nhello from scratch x\n");
        assertThat(Files.readSymbolicLink(rootfs.resolve("bin/wget"))).isEqualTo(Path.of("busybox"));

        // reproducible: another run makes the same twin
        assertThat(pack("again/hello:1", concat(settings, "--debug-tag", "dbg")).debugDigest())
                .isEqualTo(result.debugDigest());

        long extra = registry.api().storedBytes("debug/hello", twin) - registry.api().storedBytes("debug/hello", main);
        System.out.printf("debug twin: image %d bytes compressed, twin +%d bytes (busybox layer %d bytes, %d on disk)%n",
                result.compressedSize(), extra, twinLayers.get(mainLayers.size()).get("size").asLong(),
                Files.size(busybox));
    }

    @Test
    void buildPushesATwinToo() throws IOException {
        Path source = Files.createDirectories(work.resolve("build-src"));
        Files.writeString(source.resolve("main.c"), PackagePushTest.HELLO_C);
        CliRun built = CliRun.of("build", "--language", "c", "--source", source.toString(), "--build-dir",
                work.resolve("build-work").toString(), "--image", registry.host() + "/built/hello:1", "--insecure",
                "--debug-tag", "1-debug");
        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(registry.dockerContentDigest("built/hello", "1-debug")).contains(built.result().debugDigest());
        assertThat(registry.dockerContentDigest("built/hello", "1")).contains(built.result().digest());
    }

    @Test
    void aDynamicBusyboxIsRefusedBeforeAnythingIsPushed() {
        Path src = work.resolve("src/hello.c");
        Path dynamic = PackagePushTest.compileTo("gcc", src, work.resolve("dyn-busybox"), "-Os");
        CliRun run = CliRun.of("package", hello.toString(), "--image", registry.host() + "/refused/hello:1",
                "--insecure", "--debug-tag", "debug", "--busybox", dynamic.toString());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
        assertThat(run.result().reason()).isEqualTo("InvalidArguments");
        assertThat(run.result().message()).contains("--busybox " + dynamic, "Dynamic", "libc.so.6", "statically linked");
        assertThat(registry.dockerContentDigest("refused/hello", "1")).isEmpty();
        assertThat(registry.dockerContentDigest("refused/hello", "debug")).isEmpty();
    }

    @Test
    void aTwinNeedsARegistryATagOfItsOwnAndRoomForBusybox() {
        String ref = registry.host() + "/args/hello:1";
        assertThat(CliRun.of("package", hello.toString(), "--oci-layout", work.resolve("l").toString(),
                "--debug-tag", "d").result().message()).contains("--debug-tag", "--image");
        assertThat(CliRun.of("package", hello.toString(), "--image", ref, "--insecure", "--debug-tag", "1")
                .result().message()).contains("the image's own tag");
        assertThat(CliRun.of("package", hello.toString(), "--image", ref, "--insecure", "--debug-tag", "-x")
                .exitCode()).isEqualTo(2);
        assertThat(CliRun.of("package", hello.toString(), "--image", ref, "--insecure", "--debug-tag", "d",
                "--path", "/bin/busybox").result().message()).contains("clash");
        assertThat(CliRun.of("package", hello.toString(), "--image", ref, "--insecure", "--debug-tag", "d",
                "--busybox", work.resolve("none").toString()).exitCode()).isEqualTo(2);
        assertThat(registry.dockerContentDigest("args/hello", "1")).isEmpty();
    }

    private static BuildResult pack(String repositoryAndTag, String... options) {
        List<String> args = new ArrayList<>(List.of("package", hello.toString(), "--image",
                registry.host() + "/" + repositoryAndTag, "--insecure"));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.all()).isZero();
        return run.result();
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
