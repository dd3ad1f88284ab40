package dev.minimalimage.operator.cluster;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Build counters, durations and image sizes (next to the Operator SDK's own reconcile metrics). */
@ApplicationScoped
public class BuildMetrics {

    @Inject
    MeterRegistry registry;

    public void started() {
        registry.counter("minimalimage.builds.started").increment();
    }

    public void succeeded(String startTime, String completionTime, Long compressedSize, Long binarySize) {
        registry.counter("minimalimage.builds.succeeded").increment();
        duration(startTime, completionTime, "Succeeded");
        if (compressedSize != null) {
            DistributionSummary.builder("minimalimage.image.size").baseUnit("bytes").register(registry)
                    .record(compressedSize);
        }
        if (binarySize != null) {
            DistributionSummary.builder("minimalimage.binary.size").baseUnit("bytes").register(registry)
                    .record(binarySize);
        }
    }

    public void failed(String reason, String startTime, String completionTime) {
        registry.counter("minimalimage.builds.failed", "reason", reason).increment();
        duration(startTime, completionTime, "Failed");
    }

    private void duration(String start, String end, String outcome) {
        if (start == null || end == null) {
            return;
        }
        try {
            Duration took = Duration.between(Instant.parse(start), Instant.parse(end));
            Timer.builder("minimalimage.build.duration").tag("outcome", outcome).register(registry).record(took);
        } catch (RuntimeException unparsable) {
            // timestamps come from the API server; an odd one costs a sample, not the reconcile
        }
    }
}
