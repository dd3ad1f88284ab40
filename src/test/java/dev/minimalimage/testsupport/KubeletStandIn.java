package dev.minimalimage.testsupport;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only stand-in for the kubelet in front of the Fabric8 mock API server (CRUD mode): it polls the Pods every
 * ~100 ms and runs each new Pending pod's containers as local processes on this machine, writing back pod status
 * the way a kubelet does (through the status subresource).
 *
 * <p>
 * Containers whose image is a key of {@code imageCommands} run that host command line (the container's
 * {@code command} is dropped, its {@code args} are appended); others run their own command and args on the host.
 * Volume mount paths and the termination message path are rewritten to per-pod host directories/files in command,
 * args, env values and workingDir. Init containers run one after another; containers then run side by side.
 * Every wait is bounded; {@link #close()} kills whatever still runs.
 */
public final class KubeletStandIn implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KubeletStandIn.class.getName());
    private static final long POLL_MILLIS = 100;
    private static final int POD_THREADS = 2;

    private final KubernetesClient client;
    private final Path workRoot;
    private final Map<String, List<String>> imageCommands;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, KubeletPodRun> active = new ConcurrentHashMap<>();
    private final Map<String, Path> logs = new ConcurrentHashMap<>();
    private final AtomicInteger podsRun = new AtomicInteger();
    private final ExecutorService pool;
    private volatile Duration configErrorTimeout = Duration.ofSeconds(10);
    private volatile boolean closed;
    private Thread poller;
    private String lastPollError;

    public KubeletStandIn(KubernetesClient client, Path workRoot, Map<String, List<String>> imageCommands) {
        this.client = Objects.requireNonNull(client, "client");
        this.workRoot = Objects.requireNonNull(workRoot, "workRoot").toAbsolutePath();
        Map<String, List<String>> copy = new ConcurrentHashMap<>();
        Objects.requireNonNullElse(imageCommands, Map.<String, List<String>>of())
                .forEach((image, command) -> copy.put(image, List.copyOf(command)));
        this.imageCommands = copy;
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(POD_THREADS, r -> {
            Thread t = new Thread(r, "kubelet-stand-in-pod-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * How long a missing ConfigMap/Secret (or key) keeps a pod Pending with CreateContainerConfigError before the
     * pod is marked Failed (default 10 s). Call before {@link #start()}.
     */
    public KubeletStandIn withConfigErrorTimeout(Duration timeout) {
        this.configErrorTimeout = Objects.requireNonNull(timeout);
        return this;
    }

    public synchronized KubeletStandIn start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        try {
            Files.createDirectories(workRoot);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + workRoot, e);
        }
        poller = new Thread(this::pollLoop, "kubelet-stand-in-poll");
        poller.setDaemon(true);
        poller.start();
        return this;
    }

    /** The log (stdout and stderr interleaved) of a container of the latest pod run under that name. */
    public Optional<String> logs(String namespace, String pod, String container) {
        Path log = logs.get(namespace + "/" + pod + "/" + container);
        if (log == null || !Files.isRegularFile(log)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** How many pods this stand-in has picked up to run. */
    public int podsRun() {
        return podsRun.get();
    }

    @Override
    public void close() {
        Thread p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = poller;
        }
        if (p != null) {
            p.interrupt();
        }
        pool.shutdownNow();
        List<KubeletPodRun> runs = new ArrayList<>(active.values());
        runs.forEach(KubeletPodRun::abort);
        try {
            if (p != null) {
                p.join(2000);
            }
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        new ArrayList<>(active.values()).forEach(KubeletPodRun::abort);
    }

    // ---------------------------------------------------------------- package-private, for KubeletPodRun

    boolean isClosed() {
        return closed;
    }

    Duration configErrorTimeout() {
        return configErrorTimeout;
    }

    List<String> imageCommand(String image) {
        return image == null ? null : imageCommands.get(image);
    }

    void registerLog(String namespace, String pod, String container, Path log) {
        logs.put(namespace + "/" + pod + "/" + container, log);
    }

    // ---------------------------------------------------------------- polling

    private void pollLoop() {
        while (!closed) {
            try {
                pollOnce();
                lastPollError = null;
            } catch (RuntimeException e) {
                if (!closed && !Objects.equals(String.valueOf(e), lastPollError)) {
                    lastPollError = String.valueOf(e);
                    LOG.log(System.Logger.Level.DEBUG, "kubelet stand-in: listing pods failed: " + e);
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pollOnce() {
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
        Set<String> present = new HashSet<>();
        for (Pod pod : pods) {
            if (pod.getMetadata() == null || pod.getMetadata().getName() == null || pod.getSpec() == null) {
                continue;
            }
            String key = key(pod);
            present.add(key);
            boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
            KubeletPodRun running = active.get(key);
            if (running != null) {
                if (deleting) {
                    running.podDeleted();
                }
                continue;
            }
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (deleting || seen.contains(key) || (phase != null && !phase.equals("Pending"))) {
                continue;
            }
            submit(key, pod);
        }
        for (Map.Entry<String, KubeletPodRun> e : active.entrySet()) {
            if (!present.contains(e.getKey())) {
                e.getValue().podDeleted();
            }
        }
    }

    private void submit(String key, Pod pod) {
        if (pod.getMetadata().getNamespace() == null) {
            pod.getMetadata().setNamespace("default");
        }
        KubeletPodRun run = new KubeletPodRun(this, client, pod, workRoot);
        seen.add(key);
        active.put(key, run);
        try {
            pool.execute(() -> {
                try {
                    if (!closed) {
                        podsRun.incrementAndGet();
                        run.run();
                    }
                } finally {
                    active.remove(key, run);
                }
            });
        } catch (RejectedExecutionException e) {
            active.remove(key, run);
        }
    }

    private static String key(Pod pod) {
        var meta = pod.getMetadata();
        return meta.getNamespace() + "/" + meta.getName() + "/" + meta.getUid();
    }
}
