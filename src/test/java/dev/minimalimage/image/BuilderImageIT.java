package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.security.KeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.testsupport.BoundSshGitServer;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.SshKeys;

/**
 * scripts/image.sh --component builder, the builder pod's image: the CLI from a plain jar, no Quarkus and no
 * Kubernetes client. Built twice into OCI layouts (runtime and application layers byte-identical), then unpacked
 * into an empty root and run there as uid 65532: the steps start, `operator` says where it lives, and a real
 * package step packs from that root. (The build itself already ran fetch over http, package + push and
 * stage-runtime in the image's root: its start-up archive's training fails the build if one of them fails.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuilderImageIT {

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
        Processes.run(Duration.ofSeconds(10), List.of("chmod", "1777", rootfs.resolve("tmp").toString()))
                .requireSuccess("chmod 1777 tmp"); // as a pod's emptyDir: writable by 65532
    }

    private static JsonNode build(String name) throws IOException {
        long started = System.nanoTime();
        Processes.Result result = Processes.run(BUILD_TIMEOUT, List.of("scripts/image.sh", "--component", "builder",
                "--app", dir.resolve("app").toString(), "--oci-layout", dir.resolve(name).toString(), "--work",
                dir.resolve(name + "-work").toString()), Map.of(), null).requireSuccess("scripts/image.sh (" + name + ")");
        System.out.printf("image.sh --component builder (%s build): %d ms%n%s", name,
                (System.nanoTime() - started) / 1_000_000, result.stderr());
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
        }
        JsonNode config = config(dir.resolve("first"));
        assertThat(config.get("config").get("User").asText()).isEqualTo("65532:65532");
        assertThat(config.get("config").get("Labels").get("org.opencontainers.image.title").asText())
                .isEqualTo("minimal-image-builder");
        System.out.printf("builder image: %d bytes compressed; layers %s / %s / %s bytes%n",
                first.get("compressedSize").asLong(), a.get(0).get("size"), a.get(1).get("size"), a.get(2).get("size"));
    }

    @Test
    @Order(2)
    void theClassPathHoldsNeitherQuarkusNorTheKubernetesClient() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(rootfs.resolve("app/lib"))) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).anyMatch(jar -> jar.startsWith("info.picocli.picocli-"))
                .anyMatch(jar -> jar.startsWith("org.eclipse.jgit.org.eclipse.jgit-"))
                .anyMatch(jar -> jar.startsWith("com.google.cloud.tools.jib-core-"))
                .noneMatch(jar -> jar.startsWith("io.quarkus.") || jar.startsWith("io.fabric8.")
                        || jar.startsWith("io.javaoperatorsdk.") || jar.startsWith("io.vertx.") || jar.startsWith("io.netty."));
        assertThat(rootfs.resolve("app/quarkus-run.jar")).doesNotExist();
        assertThat(rootfs.resolve("usr/share/zoneinfo")).as("the CLI reads no zoneinfo").doesNotExist();
    }

    @Test
    @Order(3)
    void theImageRunsTheStepsAsNonrootFromAnEmptyRoot() throws IOException {
        List<String> entrypoint = entrypoint();
        assertThat(entrypoint).contains("-XX:AOTCache=/opt/java-archive/app.aot", "/app/minimal-image.jar");
        Processes.Result version = inImage(withArgs(entrypoint, "--version"));
        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout().strip()).isEqualTo("minimal-image 0.1.0");
        assertThat(version.stderr()).isEmpty(); // no archive warning: the archive matched the image's files

        List<String> strict = new ArrayList<>(entrypoint); // the archive must map, or the JVM refuses to start
        strict.add(1, "-XX:AOTMode=on");
        assertThat(inImage(withArgs(strict, "--help")).stdout()).contains("fetch", "package", "stage-runtime")
                .doesNotContain("operator");

        Processes.Result operator = inImage(withArgs(entrypoint, "operator"));
        assertThat(operator.exitCode()).isEqualTo(2);
        assertThat(operator.stderr().strip()).isEqualTo("error: operator: this is the builder image (the CLI without"
                + " Quarkus or a Kubernetes client); the operator runs from the operator image");

        Processes.Result packaged = inImage(withArgs(entrypoint, "package", "/bin/busybox", "--oci-layout",
                "/tmp/busybox-layout", "--level", "1"));
        assertThat(packaged.exitCode()).as(packaged.stderr()).isZero();
        assertThat(packaged.stdout()).contains("\"digest\":\"sha256:");
        assertThat(packaged.stderr()).doesNotContain("ERROR", "SLF4J", "Exception");
    }

    /** The training fetches over http only; ssh (JGit on Apache MINA sshd) needs more of the JDK: java.rmi, say. */
    @Test
    @Order(4)
    void fetchOverSshRunsInTheImage() throws Exception {
        KeyPair user = SshKeys.rsa();
        KeyPair host = SshKeys.rsa();
        Path origin = dir.resolve("ssh-origin");
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.writeString(origin.resolve("main.c"), "int main(void) { return 0; }\n");
            git.add().addFilepattern(".").call();
            RevCommit commit = git.commit().setMessage("init").setAuthor("t", "t@example.org").setSign(false).call();
            SshTestGitServer server = new BoundSshGitServer(user, git, host, "127.0.0.1");
            int port = server.start();
            try {
                Path secret = Files.createDirectories(rootfs.resolve("tmp/secret")); // as a mounted Secret would be
                Files.writeString(secret.resolve("ssh-privatekey"), SshKeys.pem(user));
                Files.writeString(secret.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                        + PublicKeyEntry.toString(host.getPublic()) + "\n");
                Processes.Result fetched = inImage(withArgs(entrypoint(), "fetch", "--url", "ssh://git@127.0.0.1:" + port
                        + "/repo", "--revision", "main", "--dest", "/tmp/checkout", "--credentials-dir", "/tmp/secret"));
                assertThat(fetched.exitCode()).as(fetched.stderr()).isZero();
                assertThat(fetched.stdout()).contains(commit.name());
                assertThat(rootfs.resolve("tmp/checkout/main.c")).exists();
            } finally {
                server.stop();
            }
        }
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
        return Processes.run(Duration.ofMinutes(2), shell, Map.of(), Path.of("/"));
    }
}
