package dev.minimalimage.testsupport;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Runs one pod for {@link KubeletStandIn}: volumes, init containers, containers, status writes. */
final class KubeletPodRun implements Runnable {

    private static final System.Logger LOG = System.getLogger(KubeletPodRun.class.getName());
    static final String DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline";
    static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
    static final String LOCAL_IP = "127.0.0.1";
    private static final int STATUS_WRITE_ATTEMPTS = 20;

    /** The pod was deleted or the stand-in closed: kill, and never write status again. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    /** The pod reached its final status, which has been written. */
    private static final class Done extends RuntimeException {
        Done() {
            super(null, null, false, false);
        }
    }

    /** What the kubelet reports as CreateContainerConfigError (a missing ConfigMap, Secret or key). */
    static final class ConfigError extends RuntimeException {
        ConfigError(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    private interface ConfigStep<T> {
        T run() throws IOException;
    }

    private final KubeletStandIn kubelet;
    private final KubernetesClient client;
    private final Pod pod;
    private final String namespace;
    private final String name;
    private final String uid;
    private final Path podDir;
    private final PodStatus status = new PodStatus();
    private final List<KubeletContainerRun> started = new CopyOnWriteArrayList<>();
    private volatile boolean deleted;
    private Instant deadline;
    private Map<String, Path> volumeDirs = Map.of();
    private final Map<String, Boolean> volumeIsWritableDir = new LinkedHashMap<>();

    KubeletPodRun(KubeletStandIn kubelet, KubernetesClient client, Pod pod, Path workRoot) {
        this.kubelet = kubelet;
        this.client = client;
        this.pod = pod;
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.uid = pod.getMetadata().getUid();
        this.podDir = workRoot.resolve(namespace).resolve(name);
    }

    /** Called by the poller when the pod is gone or has a deletionTimestamp. */
    void podDeleted() {
        deleted = true;
        killAll();
    }

    /** Called when the stand-in closes. */
    void abort() {
        killAll();
    }

    private void killAll() {
        for (KubeletContainerRun r : started) {
            r.kill();
        }
    }

    @Override
    public void run() {
        try {
            runPod();
        } catch (Stop | Done e) {
            // nothing more to write
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "kubelet stand-in failed to run pod " + namespace + "/" + name, e);
            if (!stopping()) {
                try {
                    status.setPhase("Failed");
                    status.setMessage("kubelet stand-in: " + e);
                    write();
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
        } finally {
            killAll();
        }
    }

    private void runPod() {
        checkStop();
        Instant start = Instant.now();
        Long activeDeadline = pod.getSpec().getActiveDeadlineSeconds();
        deadline = activeDeadline == null ? null : start.plusSeconds(activeDeadline);
        prepareDirectories();
        List<Container> inits = Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.of());
        List<Container> mains = Objects.requireNonNullElse(pod.getSpec().getContainers(), List.of());
        initialStatus(start, inits, mains);
        write();

        List<ContainerStatus> firstToRun = inits.isEmpty() ? status.getContainerStatuses()
                : List.of(status.getInitContainerStatuses().get(0));
        volumeDirs = withConfigRetry(firstToRun, this::prepareVolumes);

        for (int i = 0; i < inits.size(); i++) {
            Container c = inits.get(i);
            ContainerStatus cs = status.getInitContainerStatuses().get(i);
            KubeletContainerRun run = withConfigRetry(List.of(cs), () -> prepareContainer(c, cs, true));
            startContainer(run);
            write();
            awaitAll(List.of(run));
            if (run.exitCode != 0) {
                status.setPhase("Failed");
                condition("Initialized", false, "ContainersNotInitialized");
                readiness();
                write();
                throw new Done();
            }
        }
        if (!inits.isEmpty()) {
            condition("Initialized", true, null);
        }

        List<KubeletContainerRun> runs = new ArrayList<>();
        for (int i = 0; i < mains.size(); i++) {
            Container c = mains.get(i);
            ContainerStatus cs = status.getContainerStatuses().get(i);
            runs.add(withConfigRetry(List.of(cs), () -> prepareContainer(c, cs, false)));
        }
        for (KubeletContainerRun run : runs) {
            cs(run).setState(waiting("ContainerCreating", null));
        }
        for (KubeletContainerRun run : runs) {
            startContainer(run);
        }
        status.setPhase("Running");
        readiness();
        write();
        awaitAll(runs);
        boolean allSucceeded = runs.stream().allMatch(r -> r.exitCode == 0);
        status.setPhase(allSucceeded ? "Succeeded" : "Failed");
        readiness();
        write();
    }

    private static ContainerStatus cs(KubeletContainerRun run) {
        return run.status;
    }

    // ---------------------------------------------------------------- directories and volumes

    private void prepareDirectories() {
        try {
            if (Files.exists(podDir)) {
                deleteRecursively(podDir);
            }
            for (String sub : List.of("home", "tmp", "volumes", "logs", "containers")) {
                Files.createDirectories(podDir.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    private Map<String, Path> prepareVolumes() throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        List<Volume> volumes = Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.of());
        for (Volume v : volumes) {
            Path dir = podDir.resolve("volumes").resolve(v.getName());
            boolean writableDir = true;
            if (v.getHostPath() != null) {
                dir = Path.of(v.getHostPath().getPath());
                String type = v.getHostPath().getType();
                if (type != null && (type.equals("DirectoryOrCreate"))) {
                    Files.createDirectories(dir);
                }
            } else if (v.getConfigMap() != null) {
                Path payload = atomicPayloadDir(dir);
                var src = v.getConfigMap();
                writeKeys(payload, configMapFiles(src.getName(), src.getOptional()), src.getItems(),
                        src.getDefaultMode(), "configmap", src.getName(), src.getOptional());
                publishAtomically(dir, payload);
                writableDir = false;
            } else if (v.getSecret() != null) {
                Path payload = atomicPayloadDir(dir);
                var src = v.getSecret();
                writeKeys(payload, secretFiles(src.getSecretName(), src.getOptional()), src.getItems(),
                        src.getDefaultMode(), "secret", src.getSecretName(), src.getOptional());
                publishAtomically(dir, payload);
                writableDir = false;
            } else if (v.getProjected() != null) {
                Path projectedDir = dir;
                dir = atomicPayloadDir(projectedDir);
                Integer defaultMode = v.getProjected().getDefaultMode();
                for (VolumeProjection p : Objects.requireNonNullElse(v.getProjected().getSources(),
                        List.<VolumeProjection>of())) {
                    if (p.getConfigMap() != null) {
                        var src = p.getConfigMap();
                        writeKeys(dir, configMapFiles(src.getName(), src.getOptional()), src.getItems(), defaultMode,
                                "configmap", src.getName(), src.getOptional());
                    } else if (p.getSecret() != null) {
                        var src = p.getSecret();
                        writeKeys(dir, secretFiles(src.getName(), src.getOptional()), src.getItems(), defaultMode,
                                "secret", src.getName(), src.getOptional());
                    } else if (p.getDownwardAPI() != null) {
                        writeDownward(dir, p.getDownwardAPI().getItems(), defaultMode);
                    }
                }
                publishAtomically(projectedDir, dir);
                dir = projectedDir;
                writableDir = false;
            } else if (v.getDownwardAPI() != null) {
                Path payload = atomicPayloadDir(dir);
                writeDownward(payload, v.getDownwardAPI().getItems(), v.getDownwardAPI().getDefaultMode());
                publishAtomically(dir, payload);
                writableDir = false;
            } else {
                // emptyDir and anything this stand-in does not model: a fresh directory
                freshDir(dir);
            }
            dirs.put(v.getName(), dir);
            volumeIsWritableDir.put(v.getName(), writableDir);
        }
        return dirs;
    }

    /**
     * The kubelet's AtomicWriter layout for configMap, secret, projected and downwardAPI volumes: the payload lives in
     * a hidden {@code ..<timestamp>} directory, {@code ..data} links to it, and each top-level name is a symlink
     * {@code NAME -> ..data/NAME}. A step that lists the volume with find or cp -r sees those entries too.
     */
    private static Path atomicPayloadDir(Path dir) throws IOException {
        freshDir(dir);
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.SSSSSSSSS")
                .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC));
        Path payload = dir.resolve(".." + stamp);
        Files.createDirectories(payload);
        return payload;
    }

    private static void publishAtomically(Path dir, Path payload) throws IOException {
        Files.createSymbolicLink(dir.resolve("..data"), payload.getFileName());
        try (var top = Files.list(payload)) {
            for (Path entry : (Iterable<Path>) top.sorted()::iterator) {
                String name = entry.getFileName().toString();
                Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
            }
        }
    }

    private static void freshDir(Path dir) throws IOException {
        deleteRecursively(dir);
        Files.createDirectories(dir);
    }

    /** ConfigMap keys and contents; an empty map for a missing optional ConfigMap. */
    private Map<String, byte[]> configMapFiles(String cmName, Boolean optional) {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(cmName).get();
        if (cm == null) {
            if (Boolean.TRUE.equals(optional)) {
                return Map.of();
            }
            throw new ConfigError("configmap \"" + cmName + "\" not found");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        Objects.requireNonNullElse(cm.getData(), Map.<String, String>of())
                .forEach((k, v) -> files.put(k, v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8)));
        Objects.requireNonNullElse(cm.getBinaryData(), Map.<String, String>of())
                .forEach((k, v) -> files.put(k, v == null ? new byte[0] : Base64.getMimeDecoder().decode(v)));
        return files;
    }

    /** Secret keys and decoded contents (stringData too: the mock API server does not fold it into data). */
    private Map<String, byte[]> secretFiles(String secretName, Boolean optional) {
        Secret s = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (s == null) {
            if (Boolean.TRUE.equals(optional)) {
                return Map.of();
            }
            throw new ConfigError("secret \"" + secretName + "\" not found");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        Objects.requireNonNullElse(s.getData(), Map.<String, String>of())
                .forEach((k, v) -> files.put(k, v == null ? new byte[0] : Base64.getMimeDecoder().decode(v)));
        Objects.requireNonNullElse(s.getStringData(), Map.<String, String>of())
                .forEach((k, v) -> files.put(k, v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8)));
        return files;
    }

    private static void writeKeys(Path dir, Map<String, byte[]> files, List<KeyToPath> items, Integer defaultMode,
            String kind, String sourceName, Boolean optional) throws IOException {
        int mode = defaultMode == null ? 0644 : defaultMode;
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                writeFile(dir, e.getKey(), e.getValue(), mode);
            }
            return;
        }
        for (KeyToPath item : items) {
            byte[] content = files.get(item.getKey());
            if (content == null) {
                if (Boolean.TRUE.equals(optional)) {
                    continue;
                }
                throw new ConfigError(
                        "couldn't find key " + item.getKey() + " in " + kind + " " + sourceName);
            }
            writeFile(dir, item.getPath() == null ? item.getKey() : item.getPath(), content,
                    item.getMode() == null ? mode : item.getMode());
        }
    }

    private void writeDownward(Path dir, List<DownwardAPIVolumeFile> items, Integer defaultMode) throws IOException {
        int mode = defaultMode == null ? 0644 : defaultMode;
        for (DownwardAPIVolumeFile item : Objects.requireNonNullElse(items, List.<DownwardAPIVolumeFile>of())) {
            String value = item.getFieldRef() != null ? fieldValue(item.getFieldRef()) : "";
            writeFile(dir, item.getPath(), value.getBytes(StandardCharsets.UTF_8),
                    item.getMode() == null ? mode : item.getMode());
        }
    }

    private static void writeFile(Path dir, String relative, byte[] content, int mode) throws IOException {
        Path file = dir.resolve(relative).normalize();
        if (!file.startsWith(dir)) {
            throw new ConfigError("invalid path " + relative);
        }
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        try {
            Files.setPosixFilePermissions(file, permissions(mode));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = { PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        set.add(PosixFilePermission.OWNER_READ); // so the stand-in can always clean up and read
        return set;
    }

    // ---------------------------------------------------------------- containers

    private KubeletContainerRun prepareContainer(Container c, ContainerStatus cs, boolean init) throws IOException {
        Path containerDir = podDir.resolve("containers").resolve(c.getName());
        Files.createDirectories(containerDir);
        Path log = podDir.resolve("logs").resolve(c.getName() + ".log");
        KubeletContainerRun run = new KubeletContainerRun(c, cs, init, log);

        Map<String, String> containerEnv = containerEnv(c);

        Map<String, String> paths = new LinkedHashMap<>();
        for (VolumeMount m : Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
            Path dir = volumeDirs.get(m.getName());
            if (dir == null) {
                throw new ConfigError("volume \"" + m.getName() + "\" not found in pod " + namespace + "/" + name);
            }
            String subPath = m.getSubPath();
            if ((subPath == null || subPath.isEmpty()) && m.getSubPathExpr() != null) {
                subPath = KubeletText.expand(m.getSubPathExpr(), containerEnv);
            }
            if (subPath != null && !subPath.isEmpty()) {
                dir = dir.resolve(subPath).normalize();
                if (!Files.exists(dir)) {
                    Files.createDirectories(dir);
                }
            }
            paths.put(m.getMountPath(), dir.toString());
        }
        String terminationPath = c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()
                ? DEFAULT_TERMINATION_MESSAGE_PATH : c.getTerminationMessagePath();
        run.terminationFile = containerDir.resolve("termination-log");
        Files.write(run.terminationFile, new byte[0]);
        paths.put(terminationPath, run.terminationFile.toString());
        KubeletText.PathMap pathMap = new KubeletText.PathMap(paths);

        List<String> command = new ArrayList<>();
        List<String> prefix = kubelet.imageCommand(c.getImage());
        if (prefix != null) {
            command.addAll(prefix); // a host command line: neither expanded nor rewritten
        } else {
            for (String s : Objects.requireNonNullElse(c.getCommand(), List.<String>of())) {
                command.add(pathMap.apply(KubeletText.expand(s, containerEnv)));
            }
        }
        for (String s : Objects.requireNonNullElse(c.getArgs(), List.<String>of())) {
            command.add(pathMap.apply(KubeletText.expand(s, containerEnv)));
        }
        run.command = command;

        Map<String, String> env = baseEnv();
        containerEnv.forEach((k, v) -> env.put(k, pathMap.apply(v)));
        run.env = env;

        run.workDir = workDir(c.getWorkingDir(), pathMap);
        kubelet.registerLog(namespace, name, c.getName(), log);
        return run;
    }

    private Path workDir(String workingDir, KubeletText.PathMap pathMap) throws IOException {
        if (workingDir == null || workingDir.isEmpty()) {
            return podDir;
        }
        String mapped = pathMap.apply(workingDir);
        Path dir = Path.of(mapped);
        if (!dir.isAbsolute()) {
            dir = podDir.resolve(mapped);
        } else if (mapped.equals(workingDir) && !Files.isDirectory(dir)) {
            // not under a mount and not on this host: the image's file system would have had it
            dir = podDir.resolve("rootfs").resolve(workingDir.substring(1));
        }
        Files.createDirectories(dir);
        return dir;
    }

    private Map<String, String> baseEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        String hostHome = System.getProperty("user.home");
        String hostPath = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");
        env.put("PATH", hostPath + File.pathSeparator + Path.of(hostHome, ".cargo", "bin"));
        env.put("HOME", podDir.resolve("home").toString());
        env.put("TMPDIR", podDir.resolve("tmp").toString());
        env.put("LANG", "C.UTF-8");
        env.put("HOSTNAME", name);
        // HOME moves to the pod: keep the host's toolchain homes (a toolchain image would bake them in)
        if (Files.isDirectory(Path.of(hostHome, ".rustup"))) {
            env.put("RUSTUP_HOME", Path.of(hostHome, ".rustup").toString());
        }
        if (Files.isDirectory(Path.of(hostHome, ".cargo"))) {
            env.put("CARGO_HOME", Path.of(hostHome, ".cargo").toString());
        }
        if (System.getenv("JAVA_HOME") != null) {
            env.put("JAVA_HOME", System.getenv("JAVA_HOME"));
        }
        return env;
    }

    /** The container's own env as Kubernetes computes it: envFrom, then env with $(VAR) expansion, unrewritten. */
    private Map<String, String> containerEnv(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
            String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
            Map<String, byte[]> values = Map.of();
            if (from.getConfigMapRef() != null) {
                values = configMapFiles(from.getConfigMapRef().getName(), from.getConfigMapRef().getOptional());
            } else if (from.getSecretRef() != null) {
                values = secretFiles(from.getSecretRef().getName(), from.getSecretRef().getOptional());
            }
            values.forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
        }
        for (EnvVar var : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            EnvVarSource from = var.getValueFrom();
            if (from == null) {
                env.put(var.getName(), KubeletText.expand(Objects.requireNonNullElse(var.getValue(), ""), env));
                continue;
            }
            String value = null;
            if (from.getSecretKeyRef() != null) {
                value = secretKey(from.getSecretKeyRef());
            } else if (from.getConfigMapKeyRef() != null) {
                value = configMapKey(from.getConfigMapKeyRef());
            } else if (from.getFieldRef() != null) {
                value = fieldValue(from.getFieldRef());
            } else if (from.getResourceFieldRef() != null) {
                String resource = Objects.requireNonNullElse(from.getResourceFieldRef().getResource(), "");
                value = resource.equals("limits.cpu") ? String.valueOf(Runtime.getRuntime().availableProcessors())
                        : resource.equals("limits.memory") ? String.valueOf(Runtime.getRuntime().maxMemory()) : "0";
            }
            if (value != null) {
                env.put(var.getName(), value);
            }
        }
        return env;
    }

    private String secretKey(SecretKeySelector ref) {
        Map<String, byte[]> files = secretFiles(ref.getName(), ref.getOptional());
        byte[] v = files.get(ref.getKey());
        if (v == null) {
            if (Boolean.TRUE.equals(ref.getOptional())) {
                return null;
            }
            throw new ConfigError("couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
        }
        return new String(v, StandardCharsets.UTF_8);
    }

    private String configMapKey(ConfigMapKeySelector ref) {
        Map<String, byte[]> files = configMapFiles(ref.getName(), ref.getOptional());
        byte[] v = files.get(ref.getKey());
        if (v == null) {
            if (Boolean.TRUE.equals(ref.getOptional())) {
                return null;
            }
            throw new ConfigError(
                    "couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName());
        }
        return new String(v, StandardCharsets.UTF_8);
    }

    private String fieldValue(ObjectFieldSelector ref) {
        String path = Objects.requireNonNullElse(ref.getFieldPath(), "");
        var meta = pod.getMetadata();
        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
            return Objects.requireNonNullElse(meta.getLabels(), Map.<String, String>of())
                    .getOrDefault(path.substring(17, path.length() - 2), "");
        }
        if (path.startsWith("metadata.annotations['") && path.endsWith("']")) {
            return Objects.requireNonNullElse(meta.getAnnotations(), Map.<String, String>of())
                    .getOrDefault(path.substring(22, path.length() - 2), "");
        }
        return switch (path) {
        case "metadata.name" -> name;
        case "metadata.namespace" -> namespace;
        case "metadata.uid" -> Objects.requireNonNullElse(uid, "");
        case "spec.nodeName" -> Objects.requireNonNullElse(pod.getSpec().getNodeName(), "localhost");
        case "spec.serviceAccountName" -> Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
        case "status.podIP", "status.hostIP" -> LOCAL_IP;
        default -> "";
        };
    }

    private void startContainer(KubeletContainerRun run) {
        checkStop();
        run.startedAt = Instant.now();
        List<String> command = new ArrayList<>(run.command);
        ContainerStatus cs = run.status;
        if (command.isEmpty()) {
            startError(run, "no command specified: the stand-in cannot run an image's entrypoint");
            return;
        }
        command.set(0, resolveExecutable(command.get(0), run.env.get("PATH"), run.workDir));
        ProcessBuilder builder = new ProcessBuilder(command).directory(run.workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(run.log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(run.env);
        try {
            run.process = builder.start();
        } catch (IOException e) {
            startError(run, "exec: \"" + run.command.get(0) + "\": " + e.getMessage());
            return;
        }
        started.add(run);
        if (stopping()) {
            run.kill();
            throw new Stop();
        }
        cs.setContainerID("local://" + run.process.pid());
        cs.setState(new ContainerState(new ContainerStateRunning(timestamp(run.startedAt)), null, null));
        cs.setStarted(true);
        cs.setReady(!run.init);
    }

    private void startError(KubeletContainerRun run, String message) {
        try {
            Files.writeString(run.log, message + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // best effort
        }
        run.finished = true;
        run.exitCode = 128;
        run.status.setState(new ContainerState(null,
                new ContainerStateTerminated(null, 128, timestamp(Instant.now()), message, "StartError", null,
                        timestamp(run.startedAt)),
                null));
        run.status.setStarted(false);
        run.status.setReady(false);
    }

    static String resolveExecutable(String command, String path, Path workDir) {
        if (command.contains("/")) {
            return command.startsWith("/") ? command : workDir.resolve(command).toString();
        }
        for (String dir : Objects.requireNonNullElse(path, "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return command;
    }

    /** Waits for the given (started) containers, writing status as each ends; enforces deadline and deletion. */
    private void awaitAll(List<KubeletContainerRun> runs) {
        while (true) {
            boolean changed = false;
            boolean anyAlive = false;
            for (KubeletContainerRun run : runs) {
                if (run.finished) {
                    continue;
                }
                run.track();
                if (!run.process.isAlive()) {
                    finish(run, run.process.exitValue());
                    changed = true;
                } else {
                    anyAlive = true;
                }
            }
            if (changed) {
                readiness();
                write();
            }
            if (!anyAlive) {
                return;
            }
            checkStop();
            if (deadlineExceeded()) {
                for (KubeletContainerRun run : runs) {
                    if (!run.finished) {
                        run.kill();
                        finish(run, 137);
                    }
                }
                failDeadline();
            }
            sleep(50);
        }
    }

    private void finish(KubeletContainerRun run, int exitCode) {
        run.killLeftovers();
        run.finished = true;
        run.exitCode = exitCode;
        Instant finishedAt = Instant.now();
        String message = terminationMessage(run, exitCode);
        run.status.setState(new ContainerState(null,
                new ContainerStateTerminated(run.status.getContainerID(), exitCode, timestamp(finishedAt),
                        message.isEmpty() ? null : message, exitCode == 0 ? "Completed" : "Error", null,
                        timestamp(run.startedAt)),
                null));
        run.status.setStarted(false);
        run.status.setReady(run.init && exitCode == 0);
    }

    private String terminationMessage(KubeletContainerRun run, int exitCode) {
        try {
            String message = KubeletText.terminationFileMessage(run.terminationFile);
            if (message.isEmpty() && exitCode != 0
                    && "FallbackToLogsOnError".equals(run.container.getTerminationMessagePolicy())) {
                message = KubeletText.logTail(run.log);
            }
            return message;
        } catch (IOException e) {
            return "Error on reading termination log " + run.terminationFile + ": " + e.getMessage();
        }
    }

    private boolean deadlineExceeded() {
        return deadline != null && !Instant.now().isBefore(deadline);
    }

    private void failDeadline() {
        status.setPhase("Failed");
        status.setReason("DeadlineExceeded");
        status.setMessage(DEADLINE_MESSAGE);
        readiness();
        write();
        throw new Done();
    }

    // ---------------------------------------------------------------- status

    private void initialStatus(Instant start, List<Container> inits, List<Container> mains) {
        status.setPhase("Pending");
        status.setStartTime(timestamp(start));
        status.setHostIP(LOCAL_IP);
        status.setHostIPs(List.of(new HostIP(LOCAL_IP)));
        status.setPodIP(LOCAL_IP);
        status.setPodIPs(List.of(new PodIP(LOCAL_IP)));
        status.setQosClass("BestEffort");
        status.setConditions(new ArrayList<>());
        condition("PodReadyToStartContainers", true, null);
        condition("Initialized", inits.isEmpty(), inits.isEmpty() ? null : "ContainersNotInitialized");
        condition("Ready", false, "ContainersNotReady");
        condition("ContainersReady", false, "ContainersNotReady");
        condition("PodScheduled", true, null);
        List<ContainerStatus> initStatuses = new ArrayList<>();
        for (Container c : inits) {
            initStatuses.add(containerStatus(c, "PodInitializing"));
        }
        List<ContainerStatus> mainStatuses = new ArrayList<>();
        for (Container c : mains) {
            mainStatuses.add(containerStatus(c, inits.isEmpty() ? "ContainerCreating" : "PodInitializing"));
        }
        status.setInitContainerStatuses(initStatuses);
        status.setContainerStatuses(mainStatuses);
    }

    private static ContainerStatus containerStatus(Container c, String waitingReason) {
        ContainerStatus cs = new ContainerStatus();
        cs.setName(c.getName());
        cs.setImage(c.getImage());
        cs.setImageID("");
        cs.setReady(false);
        cs.setStarted(false);
        cs.setRestartCount(0);
        cs.setState(waiting(waitingReason, null));
        return cs;
    }

    private static ContainerState waiting(String reason, String message) {
        return new ContainerState(null, null, new ContainerStateWaiting(message, reason));
    }

    private void condition(String type, boolean value, String reason) {
        String s = value ? "True" : "False";
        for (PodCondition c : status.getConditions()) {
            if (type.equals(c.getType())) {
                if (!s.equals(c.getStatus())) {
                    c.setStatus(s);
                    c.setLastTransitionTime(timestamp(Instant.now()));
                }
                c.setReason(reason);
                return;
            }
        }
        PodCondition c = new PodCondition();
        c.setType(type);
        c.setStatus(s);
        c.setReason(reason);
        c.setLastTransitionTime(timestamp(Instant.now()));
        status.getConditions().add(c);
    }

    private void readiness() {
        List<ContainerStatus> mains = status.getContainerStatuses();
        boolean allReady = !mains.isEmpty() && mains.stream().allMatch(cs -> Boolean.TRUE.equals(cs.getReady()));
        boolean terminal = "Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase());
        String reason = allReady ? null : terminal ? "PodCompleted" : "ContainersNotReady";
        condition("ContainersReady", allReady, reason);
        condition("Ready", allReady, reason);
        if (terminal) {
            condition("PodReadyToStartContainers", false, null);
        }
    }

    private <T> T withConfigRetry(List<ContainerStatus> affected, ConfigStep<T> step) {
        Instant giveUp = Instant.now().plus(kubelet.configErrorTimeout());
        String reported = null;
        while (true) {
            checkStop();
            if (deadlineExceeded()) {
                failDeadline();
            }
            try {
                return step.run();
            } catch (ConfigError e) {
                if (!e.getMessage().equals(reported)) {
                    reported = e.getMessage();
                    for (ContainerStatus cs : affected) {
                        cs.setState(waiting("CreateContainerConfigError", e.getMessage()));
                    }
                    write();
                }
                if (Instant.now().isAfter(giveUp)) {
                    status.setPhase("Failed");
                    readiness();
                    write();
                    throw new Done();
                }
                sleep(200);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (KubernetesClientException e) {
                if (stopping()) {
                    throw new Stop();
                }
                sleep(200); // a transient API error: like the kubelet, try again
                if (Instant.now().isAfter(giveUp)) {
                    throw e;
                }
            }
        }
    }

    /** Replaces the pod's status through the status subresource (PUT .../status), retrying on 409 conflicts. */
    private void write() {
        KubernetesClientException last = null;
        for (int attempt = 0; attempt < STATUS_WRITE_ATTEMPTS; attempt++) {
            checkStop();
            try {
                Pod current = client.pods().inNamespace(namespace).withName(name).get();
                if (current == null || current.getMetadata().getDeletionTimestamp() != null
                        || (uid != null && !uid.equals(current.getMetadata().getUid()))) {
                    podDeleted();
                    throw new Stop();
                }
                current.setStatus(status);
                checkStop();
                client.pods().inNamespace(namespace).resource(current).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (stopping()) {
                    throw new Stop();
                }
                if (e.getCode() == 404) {
                    podDeleted();
                    throw new Stop();
                }
                last = e;
                sleep(e.getCode() == 409 ? 10 : 100);
            }
        }
        throw last;
    }

    // ---------------------------------------------------------------- control

    private boolean stopping() {
        return deleted || kubelet.isClosed() || Thread.currentThread().isInterrupted();
    }

    private void checkStop() {
        if (stopping()) {
            throw new Stop();
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stop();
        }
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
