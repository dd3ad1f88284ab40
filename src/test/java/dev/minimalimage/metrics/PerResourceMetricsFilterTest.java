package dev.minimalimage.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** JOSDK's own per-resource Micrometer metrics (what quarkus-operator-sdk 7.4 installs), with and without the filter. */
class PerResourceMetricsFilterTest {

    private static final List<String> RESOURCES = List.of("a", "b", "c");

    @Test
    void foldsEveryResourceIntoOneSeriesPerMeter() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new PerResourceMetricsFilter().withoutResourceNames());
        reconcileEach(registry);

        assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTag("name")).isNull())
                .allSatisfy(meter -> assertThat(meter.getId().getTag("resource.name")).isNull());
        assertThat(registry.get("operator.sdk.reconciliations.success").counters()).singleElement()
                .satisfies(counter -> assertThat(counter.count()).isEqualTo(RESOURCES.size()));
        assertThat(registry.get("operator.sdk.controllers.execution.reconcile").timers()).singleElement()
                .satisfies(timer -> assertThat(timer.count()).isEqualTo(RESOURCES.size()));
        assertThat(registry.get("operator.sdk.controllers.execution.reconcile").timers().iterator().next().getId()
                .getTag("resource.namespace")).as("the namespace stays: bounded by the watched namespaces")
                .isEqualTo("ns");
    }

    @Test
    void withoutTheFilterEachResourceHasItsOwnSeries() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        reconcileEach(registry);

        assertThat(registry.get("operator.sdk.reconciliations.success").counters()).hasSize(RESOURCES.size());
        assertThat(registry.get("operator.sdk.controllers.execution.reconcile").timers()).hasSize(RESOURCES.size());
    }

    @Test
    void leavesOtherMetersAlone() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new PerResourceMetricsFilter().withoutResourceNames());
        registry.counter("minimalimage.builds.failed", "name", "kept").increment();

        assertThat(registry.get("minimalimage.builds.failed").counter().getId().getTag("name")).isEqualTo("kept");
    }

    private static void reconcileEach(MeterRegistry registry) throws Exception {
        Metrics metrics = MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
        for (String name : RESOURCES) {
            ConfigMap resource = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("ns")
                    .endMetadata().build();
            metrics.timeControllerExecution(reconcile(ResourceID.fromResource(resource)));
            metrics.finishedReconciliation(resource, Map.of());
        }
    }

    private static Metrics.ControllerExecution<String> reconcile(ResourceID id) {
        return new Metrics.ControllerExecution<>() {
            public String name() {
                return "reconcile";
            }

            public String controllerName() {
                return "minimalimage";
            }

            public String successTypeName(String result) {
                return "resource";
            }

            public ResourceID resourceID() {
                return id;
            }

            public Map<String, Object> metadata() {
                return Map.of();
            }

            public String execute() {
                return "done";
            }
        };
    }
}
