package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuilderLayout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * A burst of 200 inline resources against the mock API server with 4 build slots; the test is the kubelet: every
 * ~100 ms it looks at the builder pods and moves each new one to Running, then Succeeded with the termination
 * messages of a successful build. Throughout it samples the API server: builder pods not finished never exceed the
 * cap, a resource without a pod shows Queued (or no status yet), and builds start in the queue's order. Prints the
 * figures (peak running, drain time, heap, reconciles).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(BuildSlotsLoadTest.FourSlots.class)
class BuildSlotsLoadTest {

    static final int RESOURCES = 200;
    static final int SLOTS = 4;
    static final Duration DRAIN_BOUND = Duration.ofMinutes(4);
    /** How long a pod stays without status, then Running, before this test's kubelet loop moves it on. */
    static final long KUBELET_STEP_MILLIS = 150;
    static final String NS = "default";
    static final String RECONCILES = "reconciliations.started";
    static final String BUILDS_STARTED = "minimalimage.builds.started";
    static final Set<String> FINISHED = Set.of("Succeeded", "Failed");
    /** The queue's order (BuildSlots): creation timestamp (1 s resolution), then namespace/name. */
    static final Comparator<MinimalImage> QUEUE_ORDER = Comparator
            .comparing((MinimalImage r) -> String.valueOf(r.getMetadata().getCreationTimestamp()))
            .thenComparing(r -> r.getMetadata().getNamespace()).thenComparing(r -> r.getMetadata().getName());

    public static class FourSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(OperatorSettings.MAX_CONCURRENT_BUILDS, String.valueOf(SLOTS),
                    OperatorSettings.RETRY_BACKOFF, "1s");
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry meters;

    /** resource name -> when (nanoTime) the kubelet first saw its builder pod. */
    final Map<String, Long> started = new ConcurrentHashMap<>();
    final List<String> startOrder = new CopyOnWriteArrayList<>();
    /** pod name -> when the kubelet moved it to its current phase. */
    final Map<String, Long> phaseSince = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final AtomicInteger peakRunning = new AtomicInteger();
    final AtomicInteger peakQueued = new AtomicInteger();
    final AtomicLong peakHeap = new AtomicLong();
    final AtomicInteger samples = new AtomicInteger();
    volatile long allReadyAt;

    @Test
    void twoHundredResourcesShareFourSlotsInCreationOrder() throws Exception {
        double reconcilesBefore = counted(RECONCILES);
        double buildsBefore = counted(BUILDS_STARTED);
        long t0 = System.nanoTime();
        Map<String, MinimalImage> created = createAll();
        long createdAt = System.nanoTime();
        Thread kubelet = new Thread(this::kubeletLoop, "kubelet-loop");
        kubelet.setDaemon(true);
        kubelet.start();
        try {
            long deadline = t0 + DRAIN_BOUND.toNanos();
            while (allReadyAt == 0 && System.nanoTime() < deadline && violations.size() < 20) {
                Thread.sleep(200);
            }
        } finally {
            kubelet.interrupt();
            kubelet.join(5000);
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heapAfterGc = rt.totalMemory() - rt.freeMemory();
        long drainMillis = allReadyAt == 0 ? -1 : (allReadyAt - t0) / 1_000_000;
        List<MinimalImage> queue = created.values().stream().sorted(QUEUE_ORDER).toList();
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < queue.size(); i++) {
            rank.put(queue.get(i).getMetadata().getName(), i);
        }
        int maxDisplacement = 0;
        for (int i = 0; i < startOrder.size(); i++) {
            maxDisplacement = Math.max(maxDisplacement, Math.abs(rank.get(startOrder.get(i)) - i));
        }
        List<String> firstFourQueued = queue.stream().limit(SLOTS).map(r -> r.getMetadata().getName()).toList();
        List<String> firstEightStarted = startOrder.stream().limit(2L * SLOTS).toList();
        System.out.printf("""
                BuildSlotsLoadTest: %d resources, %d slots
                  creates (parallel) took     %d ms, creation timestamps span %s .. %s
                  peak builder pods running   %d (sampled %d times)
                  peak resources Queued       %d
                  drain (first create -> last Ready) %d ms
                  heap used after GC          %d MiB (peak sampled %d MiB)
                  reconciles                  %.0f (JOSDK metric; NaN: not registered in this profile)
                  builds started (metric)     %.0f
                  start order: max |queue rank - start index| = %d; first %d in queue order %s; first %d started %s
                """, RESOURCES, SLOTS, (createdAt - t0) / 1_000_000,
                queue.get(0).getMetadata().getCreationTimestamp(),
                queue.get(queue.size() - 1).getMetadata().getCreationTimestamp(), peakRunning.get(), samples.get(),
                peakQueued.get(), drainMillis, heapAfterGc >> 20, peakHeap.get() >> 20, counted(RECONCILES) - reconcilesBefore,
                counted(BUILDS_STARTED) - buildsBefore,
                maxDisplacement, SLOTS, firstFourQueued, 2 * SLOTS, firstEightStarted);

        assertThat(violations).as("invariants broken while sampling").isEmpty();
        assertThat(allReadyAt).as("all %d resources Ready=True within %s; Ready so far: %d", RESOURCES, DRAIN_BOUND,
                countReady()).isPositive();
        assertThat(peakRunning.get()).as("builder pods running at once").isLessThanOrEqualTo(SLOTS).isPositive();
        assertThat(peakQueued.get()).as("resources waiting show phase Queued").isGreaterThan(RESOURCES / 2);
        assertThat(startOrder).as("one build per resource").hasSize(RESOURCES).doesNotHaveDuplicates();
        assertThat(overtaken(created)).as("builds started while %d or more older resources, long in the operator's"
                + " cache, were still waiting", SLOTS).isEmpty();
    }

    /**
     * What the queue guarantees: a build is admitted only if fewer than the free slots' worth of waiting resources
     * the operator has seen are older (creation second, then namespace/name). Resources the operator's cache may not
     * hold yet (created less than a second before) are not counted; a build admitted alongside older ones may have
     * its pod seen first, so up to {@code SLOTS - 1} older ones may still be waiting when a build starts.
     */
    private List<String> overtaken(Map<String, MinimalImage> created) {
        List<String> overtaken = new ArrayList<>();
        for (String name : startOrder) {
            long startedAt = started.get(name);
            List<String> olderWaiting = created.values().stream()
                    .filter(r -> QUEUE_ORDER.compare(r, created.get(name)) < 0)
                    .filter(r -> createdAt.get(r.getMetadata().getName()) < startedAt - TimeUnit.SECONDS.toNanos(1))
                    .filter(r -> started.getOrDefault(r.getMetadata().getName(), Long.MAX_VALUE) > startedAt)
                    .map(r -> r.getMetadata().getName()).toList();
            if (olderWaiting.size() >= SLOTS) {
                overtaken.add(name + " started before " + olderWaiting);
            }
        }
        return overtaken;
    }

    final Map<String, Long> createdAt = new ConcurrentHashMap<>();

    private Map<String, MinimalImage> createAll() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MinimalImage>> futures = new ArrayList<>();
            for (int i = 0; i < RESOURCES; i++) {
                MinimalImage resource = Resources.helloC(String.format("load-%03d", i),
                        "registry.example/load-" + i + ":1");
                resource.getMetadata().setNamespace(NS);
                futures.add(pool.submit(() -> {
                    MinimalImage made = createOnce(resource);
                    createdAt.put(made.getMetadata().getName(), System.nanoTime());
                    return made;
                }));
            }
            Map<String, MinimalImage> created = new HashMap<>();
            for (Future<MinimalImage> f : futures) {
                MinimalImage made = f.get(1, TimeUnit.MINUTES);
                created.put(made.getMetadata().getName(), made);
            }
            return created;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A create that timed out on a busy machine may have happened: look before trying again. */
    private MinimalImage createOnce(MinimalImage resource) {
        for (int attempt = 1;; attempt++) {
            try {
                return client.resource(resource).create();
            } catch (KubernetesClientException e) {
                MinimalImage existing = client.resource(resource).get();
                if (existing != null) {
                    return existing;
                }
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** The kubelet loop and the sampler: one pass every 100 ms. */
    private void kubeletLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                pass();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) { // a conflict on a status edit: the next pass tries again
                System.out.println("kubelet pass: " + e);
            }
        }
    }

    private void pass() {
        // resources first: a pod created after this list is then in the pod list below, never the other way round;
        // the larger list only every third pass, so the kubelet loop keeps its pace
        List<MinimalImage> resources = samples.get() % 3 == 0
                ? client.resources(MinimalImage.class).inNamespace(NS).list().getItems() : List.of();
        List<Pod> pods = client.pods().inNamespace(NS).withLabelSelector(BuilderLayout.SELECTOR).list().getItems();
        long now = System.nanoTime();
        samples.incrementAndGet();
        Runtime rt = Runtime.getRuntime();
        peakHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);

        List<Pod> running = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus() == null || !FINISHED.contains(p.getStatus().getPhase())).toList();
        peakRunning.accumulateAndGet(running.size(), Math::max);
        if (running.size() > SLOTS) {
            violations.add(running.size() + " builder pods running at once: "
                    + running.stream().map(p -> p.getMetadata().getName()).toList());
        }
        Set<String> withPod = ConcurrentHashMap.newKeySet();
        pods.forEach(p -> withPod.add(owner(p)));
        int queued = 0;
        int ready = 0;
        for (MinimalImage r : resources) {
            MinimalImageStatus s = r.getStatus();
            Phase phase = s == null ? null : s.getPhase();
            queued += phase == Phase.Queued ? 1 : 0;
            ready += phase == Phase.Succeeded && "True".equals(MinimalImageReconcilerTest.ready(s).getStatus()) ? 1 : 0;
            if (!withPod.contains(r.getMetadata().getName()) && phase != null && phase != Phase.Queued) {
                violations.add(r.getMetadata().getName() + " has no builder pod but phase " + phase);
            }
        }
        peakQueued.accumulateAndGet(queued, Math::max);
        if (ready == RESOURCES && allReadyAt == 0) {
            allReadyAt = now;
        }

        List<Pod> fresh = pods.stream().filter(p -> !started.containsKey(owner(p)))
                .sorted(Comparator.comparing(BuildSlotsLoadTest::owner)).toList();
        for (Pod pod : fresh) { // several seen in one pass: in name order (a tie the queue breaks the same way)
            started.put(owner(pod), now);
            startOrder.add(owner(pod));
        }
        for (Pod pod : running) {
            step(pod, now);
        }
    }

    /** No phase -> Running -> Succeeded, each after {@link #KUBELET_STEP_MILLIS}. */
    private void step(Pod pod, long now) {
        String name = pod.getMetadata().getName();
        long since = phaseSince.computeIfAbsent(name, n -> now);
        if (now - since < TimeUnit.MILLISECONDS.toNanos(KUBELET_STEP_MILLIS)) {
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        String result = MinimalImageReconcilerTest.success().toJson();
        pod.setStatus(phase == null
                ? new PodStatusBuilder().withPhase("Running").withStartTime("2026-11-23T10:00:00Z").build()
                : new PodStatusBuilder().withPhase("Succeeded")
                        .withContainerStatuses(MinimalImageReconcilerTest.terminated("compile", 0, null),
                                MinimalImageReconcilerTest.terminated("package", 0, result))
                        .build());
        client.resource(pod).updateStatus(); // the listed copy: no extra GET (a conflict is retried next pass)
        phaseSince.put(name, System.nanoTime());
    }

    private long countReady() {
        return client.resources(MinimalImage.class).inNamespace(NS).list().getItems().stream()
                .filter(r -> r.getStatus() != null && r.getStatus().getPhase() == Phase.Succeeded).count();
    }

    /** Counters whose name contains {@code name}, summed over their tags; NaN if none is registered. */
    private double counted(String name) {
        List<Counter> counters = meters.getMeters().stream().filter(Counter.class::isInstance).map(Counter.class::cast)
                .filter(c -> c.getId().getName().contains(name)).toList();
        return counters.isEmpty() ? Double.NaN : counters.stream().mapToDouble(Counter::count).sum();
    }

    static String owner(Pod pod) {
        return pod.getMetadata().getOwnerReferences().get(0).getName();
    }
}
