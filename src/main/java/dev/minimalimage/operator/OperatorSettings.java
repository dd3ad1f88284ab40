package dev.minimalimage.operator;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.minimalimage.planning.ToolchainImages;

/**
 * Operator configuration (application.properties / env, e.g. MINIMAL_IMAGE_PRESETS_GO_IMAGE), read through
 * MicroProfile Config so dependents, which JOSDK instantiates itself, see the same values as CDI beans.
 */
public final class OperatorSettings {

    public static final int DEFAULT_MAX_POD_RECREATIONS = 2;

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

    public static int maxPodRecreations() {
        return ConfigProvider.getConfig().getOptionalValue("minimal-image.max-pod-recreations", Integer.class)
                .orElse(DEFAULT_MAX_POD_RECREATIONS);
    }

    private static String value(Config config, String key, String fallback) {
        return config.getOptionalValue(key, String.class).orElse(fallback);
    }
}
