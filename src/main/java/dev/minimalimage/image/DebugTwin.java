package dev.minimalimage.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The debug twin of a FROM-scratch image: the very same layer blobs (so a registry stores and a node pulls them once)
 * plus one layer with a statically linked busybox at /bin/busybox and symlinks for common applets, and the same
 * config and annotations except for PATH. The main image is not touched: its bytes and digest stay what they are
 * without a twin. Reproducible: the extra layer is written like every other layer (sorted, epoch times, 0:0).
 */
public final class DebugTwin {

    public static final String BUSYBOX_PATH = "/bin/busybox";
    /** Where Debian's busybox-static installs it, and where the operator image carries it. */
    public static final String DEFAULT_BUSYBOX = "/bin/busybox";

    /**
     * The applets that get a /bin symlink: a fixed list (busybox is never run to ask for its own list, and we never
     * execute what we package), each present in Debian bookworm's busybox-static 1.35. An applet the given busybox
     * lacks answers "applet not found"; `busybox APPLET` reaches any other one.
     */
    public static final List<String> APPLETS = List.of(
            // shell and files
            "sh", "ash", "ls", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "ln", "chmod", "touch", "find", "stat",
            "readlink", "realpath", "du", "df", "pwd", "basename", "dirname", "which",
            // text
            "echo", "printf", "test", "[", "grep", "sed", "awk", "head", "tail", "less", "more", "wc", "sort", "uniq",
            "cut", "tr", "tee", "xargs", "diff", "vi", "hexdump", "od", "strings", "base64", "sha256sum", "md5sum",
            // processes and system
            "env", "id", "whoami", "hostname", "uname", "date", "sleep", "ps", "top", "kill", "pidof", "free",
            "mount", "dmesg", "nproc", "timeout", "watch", "true", "false",
            // network
            "wget", "nc", "nslookup", "ping", "ip", "ifconfig", "netstat", "route", "traceroute", "telnet",
            // archives
            "tar", "gzip", "gunzip", "zcat");

    private static final ObjectMapper JSON = new ObjectMapper();

    private DebugTwin() {
    }

    /**
     * The twin of {@code main}, which was assembled from {@code config}. {@code busybox} must already be verified
     * static by the caller (this class reads no ELF); its layer uses the main image's compression and level.
     */
    public static AssembledImage of(AssembledImage main, ImageConfig config, Path busybox) throws IOException {
        String binaryPath = checkBinaryPath(config.binaryPath());
        // an applet link must not shadow the application itself (e.g. --path /bin/ls)
        List<String> applets = APPLETS.stream().filter(a -> !binaryPath.equals("/bin/" + a)).toList();
        LayerWriter.Layer layer = LayerWriter.write(RootfsPlan.ofBusybox(busybox, BUSYBOX_PATH, applets),
                config.compression(), config.compressionLevel());

        List<Blob> layers = new ArrayList<>(main.layers());
        layers.add(layer.blob());
        List<String> diffIds = new ArrayList<>(main.diffIds());
        diffIds.add(layer.diffId());
        Map<String, Object> imageConfig = JSON.readValue(main.config().bytes(), new TypeReference<LinkedHashMap<String, Object>>() { });
        @SuppressWarnings("unchecked")
        Map<String, Object> rootfs = (Map<String, Object>) imageConfig.get("rootfs");
        rootfs.put("diff_ids", diffIds);
        @SuppressWarnings("unchecked")
        Map<String, Object> runtime = (Map<String, Object>) imageConfig.get("config");
        imageConfig.put("config", withBinOnPath(runtime));
        return ImageAssembler.finish(layers, diffIds, imageConfig, main.manifestTemplate().annotations(),
                main.uncompressedLayerSize() + layer.uncompressedSize(), main.binarySize());
    }

    /** @throws IllegalArgumentException when the binary sits where the twin's busybox goes */
    public static String checkBinaryPath(String binaryPath) {
        if (binaryPath.equals(BUSYBOX_PATH) || binaryPath.equals("/bin")) {
            throw new IllegalArgumentException("the debug twin puts busybox at " + BUSYBOX_PATH
                    + ", which the binary's path " + binaryPath + " would clash with: choose another --path");
        }
        return binaryPath;
    }

    /**
     * PATH only in the twin. The main image sets none unless the user did (a FROM-scratch program has nothing to
     * look up), and its config must stay byte-identical. The twin is for `kubectl exec TWIN -- ls` and `sh`, and a
     * runtime resolves a bare command name with the image's PATH: Docker and containerd fill in a default PATH when
     * the image has none, but not every runtime does, so the twin says /bin explicitly. A user's own PATH is kept
     * first (the program behaves as in the main image) and /bin appended.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withBinOnPath(Map<String, Object> runtime) {
        List<String> env = new ArrayList<>((List<String>) runtime.getOrDefault("Env", List.of()));
        int path = -1;
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).startsWith("PATH=")) {
                path = i;
            }
        }
        if (path < 0) {
            env.add("PATH=/bin");
        } else if (!List.of(env.get(path).substring(5).split(":")).contains("/bin")) {
            env.set(path, env.get(path).equals("PATH=") ? "PATH=/bin" : env.get(path) + ":/bin");
        }
        // rebuilt in the order ImageAssembler writes (Env before Entrypoint), for a config that reads like the main one
        Map<String, Object> twin = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : runtime.entrySet()) {
            if (e.getKey().equals("Entrypoint")) {
                twin.put("Env", env);
            }
            if (!e.getKey().equals("Env")) {
                twin.put(e.getKey(), e.getValue());
            }
        }
        twin.putIfAbsent("Env", env);
        return twin;
    }
}
