package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.testsupport.Processes;

/**
 * One of the project's own images as scripts/image.sh builds it: built twice from one snapshot of
 * target/quarkus-app (a concurrent `mvn package` cannot change it between the builds), and the first build unpacked
 * into an empty root with what a container runtime provides (/proc, and /tmp writable by 65532 as a pod's
 * emptyDir), to run commands in as uid 65532.
 *
 * @param first  the package-tree result of the first build (its manifest's layers)
 * @param second the same for the second build
 */
record ImageUnderTest(Path dir, JsonNode first, JsonNode second, Path rootfs) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    /** {@code component}: scripts/image.sh --component (builder or operator); {@code dir}: the test's own. */
    static ImageUnderTest buildTwice(Path dir, String component) throws IOException {
        Processes.run(Duration.ofMinutes(1), List.of("cp", "-a", "target/quarkus-app", dir.resolve("app").toString()))
                .requireSuccess("copying target/quarkus-app");
        JsonNode first = build(dir, component, "first");
        JsonNode second = build(dir, component, "second");
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        for (JsonNode layer : manifest(dir.resolve("first")).get("layers")) {
            Path blob = dir.resolve("first/blobs/sha256/" + layer.get("digest").asText().substring(7));
            // GNU tar and the zstd or gzip program: a client of its own, as a node's runtime is
            String decompress = layer.get("mediaType").asText().endsWith("+zstd") ? "--zstd" : "--gzip";
            Processes.run(Duration.ofMinutes(1), List.of("tar", decompress, "-xf", blob.toString(), "-C",
                    rootfs.toString())).requireSuccess("unpacking " + blob);
        }
        Files.createDirectories(rootfs.resolve("proc"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Processes.run(Duration.ofSeconds(10), List.of("chmod", "1777", rootfs.resolve("tmp").toString()))
                .requireSuccess("chmod 1777 tmp");
        return new ImageUnderTest(dir, first, second, rootfs);
    }

    /** What each of scripts/image.sh's layers holds, bottom first: the names a size failure reports. */
    private static final List<String> LAYER_NAMES = List.of("runtime", "application", "archive");

    /**
     * Fails when the first build is larger than {@code limit} bytes compressed (the sum of its layers' blobs), naming
     * every layer's size so that the failure says what grew.
     */
    void assertCompressedSizeAtMost(long limit, String component) {
        long size = first.get("compressedSize").asLong();
        StringBuilder layers = new StringBuilder();
        JsonNode sizes = first.get("layers");
        for (int i = 0; i < sizes.size(); i++) {
            String name = i < LAYER_NAMES.size() ? LAYER_NAMES.get(i) : "layer " + i;
            layers.append(String.format("%s%s %,d B", i == 0 ? "" : ", ", name, sizes.get(i).get("size").asLong()));
        }
        if (size > limit) {
            throw new AssertionError(String.format("the %s image is %,d B compressed, over its limit of %,d B"
                    + " (issue 19): %s. If the growth is wanted, say so and raise the limit; scripts/image.sh"
                    + " prints what each layer holds", component, size, limit, layers));
        }
        System.out.printf("%s image: %,d B compressed (limit %,d B): %s%n", component, size, limit, layers);
    }

    /** The first build's image config. */
    JsonNode config() throws IOException {
        Path layout = dir.resolve("first");
        return JSON.readTree(layout.resolve("blobs/sha256/"
                + manifest(layout).get("config").get("digest").asText().substring(7)).toFile());
    }

    List<String> entrypoint() throws IOException {
        List<String> words = new ArrayList<>();
        config().get("config").get("Entrypoint").forEach(w -> words.add(w.asText()));
        return words;
    }

    static List<String> withArgs(List<String> entrypoint, String... args) {
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(List.of(args));
        return command;
    }

    /** Runs in a private mount namespace with /proc mounted, chrooted into the unpacked layers, as 65532:65532. */
    Processes.Result run(List<String> command) {
        return run(command, Map.of());
    }

    /** {@link #run(List)} with these variables added to the environment (chroot passes it on). */
    Processes.Result run(List<String> command, Map<String, String> env) {
        List<String> shell = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot --userspec=65532:65532 \"$0\" \"$@\"", rootfs.toString()));
        shell.addAll(command);
        return Processes.run(Duration.ofMinutes(2), shell, env, Path.of("/"));
    }

    private static JsonNode build(Path dir, String component, String name) throws IOException {
        long started = System.nanoTime();
        Processes.Result result = Processes.run(BUILD_TIMEOUT, List.of("scripts/image.sh", "--component", component,
                "--app", dir.resolve("app").toString(), "--oci-layout", dir.resolve(name).toString(), "--work",
                dir.resolve(name + "-work").toString()), Map.of(), null).requireSuccess("scripts/image.sh (" + name + ")");
        System.out.printf("image.sh --component %s (%s build): %d ms%n%s", component, name,
                (System.nanoTime() - started) / 1_000_000, result.stderr());
        String[] lines = result.stdout().strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static JsonNode manifest(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        return JSON.readTree(layout.resolve("blobs/sha256/"
                + index.get("manifests").get(0).get("digest").asText().substring(7)).toFile());
    }
}
