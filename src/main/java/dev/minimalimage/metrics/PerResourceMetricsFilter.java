package dev.minimalimage.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the Operator SDK's metrics from growing with the number of resources. quarkus-operator-sdk 7.4 always builds
 * JOSDK's per-resource Micrometer metrics (no setting turns that off): every reconcile counter and the
 * {@code operator.sdk.controllers.execution.*} timers, with their percentile histograms, carry the resource's name
 * as a tag, so /q/metrics held ~40 kB per MinimalImage (bench/scale.sh). Dropping the name tag folds them into one
 * series per controller and namespace; what a single resource did is in its status and events.
 */
@Singleton
public class PerResourceMetricsFilter {

    static final String SDK_PREFIX = "operator.sdk.";
    /** JOSDK tags a counter with {@code name}, a timer with {@code resource.name}. */
    static final String[] RESOURCE_NAME_TAGS = { "name", "resource.name" };

    @Produces
    @Singleton
    public MeterFilter withoutResourceNames() {
        MeterFilter ignore = MeterFilter.ignoreTags(RESOURCE_NAME_TAGS);
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(SDK_PREFIX) ? ignore.map(id) : id;
            }
        };
    }
}
