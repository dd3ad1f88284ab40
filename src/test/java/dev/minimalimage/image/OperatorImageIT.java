package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.minimalimage.testsupport.Processes;

/**
 * scripts/image.sh, the operator's own FROM-scratch image: built twice into OCI layouts (the runtime and application
 * layers must be byte-identical), then unpacked into an empty root and run there as uid 65532.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorImageIT {


    @TempDir
    static Path dir;

    static JsonNode first;
    static JsonNode second;
    static Path rootfs;
    static ImageUnderTest image;

    @BeforeAll
    static void buildTwice() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "chroot and unshare -m need root");
        image = ImageUnderTest.buildTwice(dir, "operator");
        first = image.first();
        second = image.second();
        rootfs = image.rootfs();
    }

    /** Issue 19: what the operator's node pulls before the operator starts. */
    static final long COMPRESSED_SIZE_LIMIT = 60_000_000;

    @Test
    @Order(0)
    void theImageStaysWithinItsSizeLimit() {
        image.assertCompressedSizeAtMost(COMPRESSED_SIZE_LIMIT, "operator");
    }

    @Test
    @Order(1)
    void runtimeAndApplicationLayersAreReproducible() throws IOException {
        JsonNode a = first.get("layers");
        JsonNode b = second.get("layers");
        assertThat(a.size()).as("runtime and application: no start-up archive (image.sh --archive adds it)").isEqualTo(2);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).get("digest")).as("layer %d", i).isEqualTo(a.get(i).get("digest"));
            assertThat(b.get(i).get("diffId")).as("layer %d", i).isEqualTo(a.get(i).get("diffId"));
        }
        JsonNode config = image.config();
        assertThat(config.get("rootfs").get("diff_ids").get(0)).isEqualTo(a.get(0).get("diffId"));
        assertThat(config.get("config").get("User").asText()).isEqualTo("65532:65532");
        assertThat(image.entrypoint()).startsWith("/opt/java/bin/java").endsWith("-jar", "/app/quarkus-run.jar")
                .noneMatch(word -> word.startsWith("-XX:AOTCache") || word.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    @Order(2)
    void theImageRunsTheCliAsNonrootFromAnEmptyRoot() throws IOException {
        List<String> entrypoint = entrypoint();
        Processes.Result version = inImage(ImageUnderTest.withArgs(entrypoint, "--version"));
        assertThat(version.stdout().strip()).isEqualTo("minimal-image 0.1.0");
        assertThat(version.stderr()).isEmpty();

        Processes.Result inspect = inImage(ImageUnderTest.withArgs(entrypoint, "inspect", "/opt/java/bin/java"));
        assertThat(inspect.stdout()).contains("/opt/java/bin/java: Dynamic", "interpreter: /lib64/ld-linux-x86-64.so.2");
        // the debug twins' busybox (`package --debug-tag`'s default --busybox), static, and no shell linked to it
        assertThat(inImage(ImageUnderTest.withArgs(entrypoint, "inspect", "/bin/busybox")).stdout()).startsWith("/bin/busybox: Static");
        assertThat(rootfs.resolve("bin/sh")).doesNotExist();
    }

    /**
     * The operator itself starts in the image (Quarkus, the operator SDK, the Fabric8 client: the runtime lacks
     * java.desktop, and the jars their Jandex indexes) up to its first call to the API server, which is refused here
     * (no cluster in this tier): the failure must be that refusal, not a class the cut image lacks.
     */
    @Test
    @Order(3)
    void theOperatorStartsUpToItsFirstApiCall() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Processes.Result operator = image.run(ImageUnderTest.withArgs(entrypoint(), "operator"),
                Map.of("KUBERNETES_MASTER", "https://127.0.0.1:" + closedPort));
        String output = operator.stdout() + operator.stderr();
        assertThat(operator.exitCode()).as(output).isNotZero();
        assertThat(output).contains("Connection refused: /127.0.0.1:" + closedPort)
                .doesNotContain("NoClassDefFoundError", "ClassNotFoundException", "NoSuchMethodError");
    }

    private static List<String> entrypoint() throws IOException {
        return image.entrypoint();
    }

    private static Processes.Result inImage(List<String> command) {
        return image.run(command).requireSuccess(String.join(" ", command));
    }
}
