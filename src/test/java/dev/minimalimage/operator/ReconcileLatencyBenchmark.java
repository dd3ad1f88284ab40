package dev.minimalimage.operator;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Not a test (no assertion on time, not in the default run): a benchmark of reconcile latency over 100 resources
 * against the mock API server. Run: {@code mvn test -Dtest=ReconcileLatencyBenchmark}. Prints median/p90/max of
 * (resource created -> builder pod created) and (pod finished -> status Ready written), seen through watches.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ReconcileLatencyBenchmark.SlotForEach.class)
class ReconcileLatencyBenchmark {

    static final int RESOURCES = 100;
    static final String NS = "default";

    /** Every resource gets its pod at once: the build slots (4 by default) would queue 96 of them. */
    public static class SlotForEach implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(OperatorSettings.MAX_CONCURRENT_BUILDS, String.valueOf(RESOURCES));
        }
    }

    @Inject
    KubernetesClient client;

    @Test
    void measure() {
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> podSeen = new ConcurrentHashMap<>();
        Map<String, Long> finished = new ConcurrentHashMap<>();
        Map<String, Long> readySeen = new ConcurrentHashMap<>();
        try (Watch pods = client.pods().inNamespace(NS).watch(recorder(p -> owner(p), podSeen, p -> true));
                Watch images = client.resources(MinimalImage.class).inNamespace(NS).watch(recorder(
                        r -> r.getMetadata().getName(), readySeen, r -> r.getStatus() != null
                                && r.getStatus().getPhase() == MinimalImageStatus.Phase.Succeeded))) {
            for (int i = 0; i < RESOURCES; i++) {
                MinimalImage resource = Resources.helloC("bench-" + i, "registry.example/bench-" + i + ":1");
                resource.getMetadata().setNamespace(NS);
                created.put(resource.getMetadata().getName(), System.nanoTime());
                client.resource(resource).create();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> podSeen.size() == RESOURCES);
            for (Pod pod : client.pods().inNamespace(NS).list().getItems()) {
                finished.put(owner(pod), System.nanoTime());
                succeed(pod);
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> readySeen.size() == RESOURCES);
        }
        report("resource created -> pod created", created, podSeen);
        report("pod finished -> status Ready written", finished, readySeen);
    }

    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> recorder(
            java.util.function.Function<T, String> key, Map<String, Long> seen, java.util.function.Predicate<T> when) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                if (when.test(resource)) {
                    seen.putIfAbsent(key.apply(resource), System.nanoTime());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    void succeed(Pod pod) {
        String result = MinimalImageReconcilerTest.success().toJson();
        client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.setStatus(new PodStatusBuilder().withPhase("Succeeded")
                    .withContainerStatuses(MinimalImageReconcilerTest.terminated("compile", 0, null),
                            new ContainerStatusBuilder(MinimalImageReconcilerTest.terminated("package", 0,
                            result)).build())
                    .build());
            return p;
        });
    }

    static String owner(Pod pod) {
        return pod.getMetadata().getOwnerReferences().get(0).getName();
    }

    static void report(String what, Map<String, Long> from, Map<String, Long> to) {
        List<Double> millis = new ArrayList<>();
        from.forEach((name, start) -> millis.add((to.get(name) - start) / 1e6));
        Collections.sort(millis);
        System.out.printf("%-40s n=%d median=%.1f ms p90=%.1f ms max=%.1f ms%n", what, millis.size(),
                millis.get(millis.size() / 2), millis.get((int) (millis.size() * 0.9)), millis.get(millis.size() - 1));
    }
}
