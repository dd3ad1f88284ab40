package dev.minimalimage.operator;

import java.time.Duration;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.minimalimage.planning.ToolchainImages;

/**
 * Operator configuration (application.properties / env, e.g. MINIMAL_IMAGE_PRESETS_GO_IMAGE), read through
 * MicroProfile Config so dependents, which JOSDK instantiates itself, see the same values as CDI beans.
 */
public final class OperatorSettings {

    /** Builder pods one set of inputs may get when recoverable faults (eviction, lost pod or result) end them. */
    public static final int DEFAULT_MAX_BUILD_ATTEMPTS = 3;
    /** The wait before the second attempt; each later one waits twice as long (at most 5 minutes). */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(10);
    /** Builder pods running at once per operator; the rest wait as Queued and start in creation order. */
    public static final int DEFAULT_MAX_CONCURRENT_BUILDS = 4;

    private OperatorSettings() {
    }

    public static ToolchainImages images() {
        Config config = ConfigProvider.getConfig();
        ToolchainImages d = ToolchainImages.DEFAULTS;
        return new ToolchainImages(
                value(config, "minimal-image.builder.image", d.builder()),
                value(config, "minimal-image.presets.c-musl.image", d.cMusl()),
                value(config, "minimal-image.presets.c-glibc.image", d.cGlibc()),
                value(config, "minimal-image.presets.cpp.image", d.cpp()),
                value(config, "minimal-image.presets.go.image", d.go()),
                value(config, "minimal-image.presets.rust.image", d.rust()));
    }

    public static int maxBuildAttempts() {
        return ConfigProvider.getConfig().getOptionalValue("minimal-image.max-build-attempts", Integer.class)
                .orElse(DEFAULT_MAX_BUILD_ATTEMPTS);
    }

    public static Duration retryBackoff() {
        return ConfigProvider.getConfig().getOptionalValue("minimal-image.retry-backoff", Duration.class)
                .orElse(DEFAULT_RETRY_BACKOFF);
    }

    public static int maxConcurrentBuilds() {
        return ConfigProvider.getConfig().getOptionalValue("minimal-image.max-concurrent-builds", Integer.class)
                .orElse(DEFAULT_MAX_CONCURRENT_BUILDS);
    }

    private static String value(Config config, String key, String fallback) {
        return config.getOptionalValue(key, String.class).orElse(fallback);
    }
}
