package dev.minimalimage.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The independent client: skopeo reads what the registry stores and pulls the image back; the image's single
 * layer is unpacked with GNU tar into an otherwise empty directory, which then serves as the root to run from.
 */
public final class Skopeo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Skopeo() {
    }

    public static String inspectRaw(String imageReference) {
        return Processes.run(Duration.ofSeconds(60), List.of("skopeo", "inspect", "--raw", "--tls-verify=false",
                "docker://" + imageReference)).requireSuccess("skopeo inspect --raw").stdout();
    }

    /** The image's config blob as the registry serves it (its digest is the manifest's config digest). */
    public static String inspectConfig(String imageReference) {
        return Processes.run(Duration.ofSeconds(60), List.of("skopeo", "inspect", "--config", "--raw",
                "--tls-verify=false", "docker://" + imageReference)).requireSuccess("skopeo inspect --config").stdout();
    }

    /** The Env of the image's config, as a runtime passes it to the program. */
    public static List<String> env(String imageReference) throws IOException {
        List<String> env = new ArrayList<>();
        JSON.readTree(inspectConfig(imageReference)).at("/config/Env").forEach(e -> env.add(e.asText()));
        return env;
    }

    /** Pulls {@code imageReference} and returns a root file system holding exactly the image's layer contents. */
    public static Path pullRootfs(String imageReference, Path workDir, String... extraArgs) throws IOException {
        Path layout = Files.createDirectories(workDir).resolve("pulled");
        List<String> command = new ArrayList<>(List.of("skopeo", "copy", "--src-tls-verify=false"));
        command.addAll(List.of(extraArgs));
        command.addAll(List.of("docker://" + imageReference, "oci:" + layout + ":pulled"));
        Processes.run(Duration.ofSeconds(120), command).requireSuccess("skopeo copy");
        return unpack(layout, workDir.resolve("rootfs"));
    }

    /** Unpacks the layers of the one image in the OCI layout {@code layout} into {@code rootfs} (GNU tar). */
    public static Path unpack(Path layout, Path rootfs) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(layout, index.get("manifests").get(0).get("digest").asText()).toFile());
        Files.createDirectories(rootfs);
        for (JsonNode layer : manifest.get("layers")) {
            String compression = layer.get("mediaType").asText().endsWith("zstd") ? "--zstd" : "--gzip";
            Processes.run(Duration.ofSeconds(60), List.of("tar", "-x", compression, "-f",
                    blob(layout, layer.get("digest").asText()).toString(), "-C", rootfs.toString()))
                    .requireSuccess("tar -x layer");
        }
        return rootfs;
    }

    /**
     * Runs a program inside {@code rootfs} with an empty environment: nothing but the layer is visible. As root it
     * drops to the image's user (chroot --userspec); otherwise an unprivileged user namespace provides the root.
     */
    public static Processes.Result runInRoot(Path rootfs, String user, String program, String... args) {
        return runInRoot(rootfs, List.of(), user, program, args);
    }

    /** As {@link #runInRoot(Path, String, String, String...)} with {@code env} (NAME=VALUE) as its only environment. */
    public static Processes.Result runInRoot(Path rootfs, List<String> env, String user, String program,
            String... args) {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = root
                ? new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=" + user + ":" + user, rootfs.toString(), program))
                : new ArrayList<>(List.of("/usr/bin/unshare", "-r", "-m", "--root=" + rootfs, program));
        command.addAll(List.of(args));
        List<String> withEnv = concat(List.of("/usr/bin/env", "-i"), env);
        return Processes.run(Duration.ofSeconds(30), concat(withEnv, command), java.util.Map.of(), null);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
    }
}
