package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.testsupport.Processes;

/**
 * scripts/image.sh, the operator's own FROM-scratch image: built twice into OCI layouts (the runtime and application
 * layers must be byte-identical), then unpacked into an empty root and run there as uid 65532.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    @TempDir
    static Path dir;

    static JsonNode first;
    static JsonNode second;
    static Path rootfs;

    @BeforeAll
    static void buildTwice() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "chroot and unshare -m need root");
        // a snapshot of the packaged application, so a concurrent `mvn package` cannot change it between the builds
        Processes.run(Duration.ofMinutes(1), List.of("cp", "-a", "target/quarkus-app", dir.resolve("app").toString()))
                .requireSuccess("copying target/quarkus-app");
        first = build("first");
        second = build("second");
        rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs);
        for (JsonNode layer : manifest(dir.resolve("first")).get("layers")) {
            Path blob = dir.resolve("first/blobs/sha256/" + layer.get("digest").asText().substring(7));
            Processes.run(Duration.ofMinutes(1), List.of("tar", "-xzf", blob.toString(), "-C", rootfs.toString()))
                    .requireSuccess("unpacking " + blob);
        }
        Files.createDirectories(rootfs.resolve("proc")); // mount points a container runtime provides
        Files.createDirectories(rootfs.resolve("tmp"));
    }

    private static JsonNode build(String name) throws IOException {
        long started = System.nanoTime();
        Processes.Result result = Processes.run(BUILD_TIMEOUT, List.of("scripts/image.sh", "--app", dir.resolve("app").toString(), "--oci-layout",
                dir.resolve(name).toString(), "--work", dir.resolve(name + "-work").toString()), Map.of(), null)
                .requireSuccess("scripts/image.sh (" + name + ")");
        System.out.printf("image.sh (%s build): %d ms%n%s", name, (System.nanoTime() - started) / 1_000_000, result.stderr());
        String[] lines = result.stdout().strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static JsonNode manifest(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        return JSON.readTree(layout.resolve("blobs/sha256/"
                + index.get("manifests").get(0).get("digest").asText().substring(7)).toFile());
    }

    private static JsonNode config(Path layout) throws IOException {
        return JSON.readTree(layout.resolve("blobs/sha256/"
                + manifest(layout).get("config").get("digest").asText().substring(7)).toFile());
    }

    @Test
    @Order(1)
    void runtimeAndApplicationLayersAreReproducible() throws IOException {
        JsonNode a = first.get("layers");
        JsonNode b = second.get("layers");
        assertThat(a.size()).isEqualTo(3);
        for (int i = 0; i < 2; i++) {
            assertThat(b.get(i).get("digest")).as("layer %d", i).isEqualTo(a.get(i).get("digest"));
            assertThat(b.get(i).get("diffId")).as("layer %d", i).isEqualTo(a.get(i).get("diffId"));
        }
        JsonNode config = config(dir.resolve("first"));
        assertThat(config.get("rootfs").get("diff_ids").get(0)).isEqualTo(a.get(0).get("diffId"));
        assertThat(config.get("config").get("User").asText()).isEqualTo("65532:65532");
        System.out.printf("operator image: %d bytes compressed; layers %s / %s / %s bytes; archive layer %s%n",
                first.get("compressedSize").asLong(), a.get(0).get("size"), a.get(1).get("size"), a.get(2).get("size"),
                a.get(2).get("digest").equals(b.get(2).get("digest")) ? "identical in both builds"
                        : "differs between builds (expected: JVM archives are not byte-reproducible)");
    }

    @Test
    @Order(2)
    void theImageRunsTheCliAsNonrootFromAnEmptyRoot() throws IOException {
        List<String> entrypoint = entrypoint();
        Processes.Result version = inImage(withArgs(entrypoint, "--version"));
        assertThat(version.stdout().strip()).isEqualTo("minimal-image 0.1.0");
        assertThat(version.stderr()).isEmpty(); // no archive warning: the archive matched the image's files

        Processes.Result inspect = inImage(withArgs(entrypoint, "inspect", "/opt/java/bin/java"));
        assertThat(inspect.stdout()).contains("/opt/java/bin/java: Dynamic", "interpreter: /lib64/ld-linux-x86-64.so.2");
        // the debug twins' busybox (`package --debug-tag`'s default --busybox), static, and no shell linked to it
        assertThat(inImage(withArgs(entrypoint, "inspect", "/bin/busybox")).stdout()).startsWith("/bin/busybox: Static");
        assertThat(rootfs.resolve("bin/sh")).doesNotExist();

        List<String> strict = new ArrayList<>(entrypoint); // the archive must map, or the JVM refuses to start
        strict.add(1, "-XX:AOTMode=on");
        assertThat(entrypoint.toString()).contains("AOTCache");
        assertThat(inImage(withArgs(strict, "--version")).stdout()).contains("minimal-image 0.1.0");
    }

    private static List<String> entrypoint() throws IOException {
        List<String> words = new ArrayList<>();
        config(dir.resolve("first")).get("config").get("Entrypoint").forEach(w -> words.add(w.asText()));
        return words;
    }

    private static List<String> withArgs(List<String> entrypoint, String... args) {
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(List.of(args));
        return command;
    }


    /** Runs in a private mount namespace with /proc mounted, chrooted into the unpacked layers, as 65532:65532. */
    private static Processes.Result inImage(List<String> command) {
        List<String> shell = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot --userspec=65532:65532 \"$0\" \"$@\"", rootfs.toString()));
        shell.addAll(command);
        return Processes.run(Duration.ofMinutes(1), shell, Map.of(), Path.of("/")).requireSuccess(String.join(" ", command));
    }

}
