package dev.minimalimage.operator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.minimalimage.api.v1alpha1.CaBundle;
import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.planning.ToolchainImages;

/**
 * Operator configuration (application.properties / env, e.g. MINIMAL_IMAGE_PRESETS_GO_IMAGE), read through
 * MicroProfile Config so dependents, which JOSDK instantiates itself, see the same values as CDI beans. Each key's
 * default lives here, once; the Helm chart passes its values as the matching env vars (MicroProfile Config maps
 * {@code minimal-image.max-concurrent-builds} to {@code MINIMAL_IMAGE_MAX_CONCURRENT_BUILDS}), which
 * ChartSettingsTest checks by booting the operator with the chart's rendered env.
 */
public final class OperatorSettings {

    public static final String MAX_BUILD_ATTEMPTS = "minimal-image.max-build-attempts";
    public static final String MAX_CONCURRENT_BUILDS = "minimal-image.max-concurrent-builds";
    public static final String RETRY_BACKOFF = "minimal-image.retry-backoff";
    public static final String BUILDER_IMAGE_PULL_SECRETS = "minimal-image.builder.image-pull-secrets";
    public static final String CA_BUNDLE_CONFIG_MAP = "minimal-image.builder.ca-bundle.config-map";
    public static final String CA_BUNDLE_KEY = "minimal-image.builder.ca-bundle.key";
    public static final String DOCKERFILE_STAGES = "minimal-image.builder.dockerfile-stages";
    public static final String SMOKE_TEST_EMULATOR_IMAGE = "minimal-image.smoke-test.emulator-image";
    public static final String SMOKE_TEST_LIST_NODES = "minimal-image.smoke-test.list-nodes";
    public static final String LEASE_NAME = "minimal-image.leader-election.lease-name";
    public static final String LEASE_NAMESPACE = "minimal-image.leader-election.namespace";

    /** Builder pods one set of inputs may get when a recoverable fault ends one (the first included). */
    public static final int DEFAULT_MAX_BUILD_ATTEMPTS = 3;
    /** Builder pods running at once per operator; the rest wait as Queued and start in creation order. */
    public static final int DEFAULT_MAX_CONCURRENT_BUILDS = 4;
    /** The wait before the second attempt; each later one waits twice as long (at most 5 minutes). */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(10);
    public static final String DEFAULT_LEASE_NAME = "minimal-image-operator";

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

    /**
     * How many builder pods one set of inputs may get when a recoverable fault (eviction, node loss, a deleted pod)
     * ends one, the first pod included ({@code minimal-image.max-build-attempts}, default 3).
     */
    public static int maxBuildAttempts() {
        return intValue(MAX_BUILD_ATTEMPTS, DEFAULT_MAX_BUILD_ATTEMPTS);
    }

    /** The back-off before the second attempt ({@code minimal-image.retry-backoff}); later ones double it. */
    public static Duration retryBackoff() {
        return ConfigProvider.getConfig().getOptionalValue(RETRY_BACKOFF, Duration.class).orElse(DEFAULT_RETRY_BACKOFF);
    }

    /** Builder pods the operator runs at once across all watched namespaces ({@code minimal-image.max-concurrent-builds}). */
    public static int maxConcurrentBuilds() {
        return intValue(MAX_CONCURRENT_BUILDS, DEFAULT_MAX_CONCURRENT_BUILDS);
    }

    /** Names of Secrets (in the build's namespace) every builder pod gets as imagePullSecrets; empty by default. */
    public static List<String> builderImagePullSecrets() {
        return ConfigProvider.getConfig().getOptionalValues(BUILDER_IMAGE_PULL_SECRETS, String.class)
                .map(names -> names.stream().map(String::trim).filter(n -> !n.isEmpty()).toList())
                .orElse(List.of());
    }

    /**
     * The image with qemu's static user-mode emulators (scripts/emulator-image.sh) that smoke tests a multi-platform
     * image's foreign platforms on the default architecture's nodes; empty: those run only on nodes of their own.
     */
    /**
     * Whether the operator may list nodes to find one of a foreign platform's architecture (the chart grants it and
     * sets this when every namespace is watched, or when smokeTest.listNodes says so); true outside the chart.
     */
    public static boolean smokeTestListNodes() {
        return ConfigProvider.getConfig().getOptionalValue(SMOKE_TEST_LIST_NODES, Boolean.class).orElse(true);
    }

    public static Optional<String> smokeTestEmulatorImage() {
        return ConfigProvider.getConfig().getOptionalValue(SMOKE_TEST_EMULATOR_IMAGE, String.class).map(String::trim)
                .filter(image -> !image.isEmpty());
    }

    /**
     * The trusted CA bundle builder pods get for registries and git hosts with a private CA: a ConfigMap in the
     * build's namespace and its key (default ca.crt); empty when {@code minimal-image.builder.ca-bundle.config-map}
     * is not set.
     */
    public static Optional<CaBundle> caBundle() {
        Config config = ConfigProvider.getConfig();
        return config.getOptionalValue(CA_BUNDLE_CONFIG_MAP, String.class).map(String::trim).filter(n -> !n.isEmpty())
                .map(name -> new CaBundle(name, value(config, CA_BUNDLE_KEY, CaBundle.DEFAULT_KEY)));
    }

    /**
     * The most a Dockerfile build's stage containers may get ({@code minimal-image.builder.dockerfile-stages}:
     * Baseline, the default, or Restricted); a spec may only narrow it.
     */
    public static Dockerfile.StageSecurity dockerfileStages() {
        String value = value(ConfigProvider.getConfig(), DOCKERFILE_STAGES, "Baseline").trim();
        for (Dockerfile.StageSecurity level : Dockerfile.StageSecurity.values()) {
            if (level.name().equalsIgnoreCase(value)) {
                return level;
            }
        }
        throw new IllegalArgumentException(DOCKERFILE_STAGES + " must be Baseline or Restricted: " + value);
    }

    /** Name of the coordination.k8s.io Lease the operator's replicas compete for. */
    public static String leaseName() {
        return value(ConfigProvider.getConfig(), LEASE_NAME, DEFAULT_LEASE_NAME);
    }

    /**
     * Namespace of the Lease: the operator's own (the chart passes the pod's namespace); empty = let the operator SDK
     * infer it from the client's namespace (in-cluster: the service account's).
     */
    public static Optional<String> leaseNamespace() {
        return ConfigProvider.getConfig().getOptionalValue(LEASE_NAMESPACE, String.class);
    }

    private static int intValue(String key, int fallback) {
        return ConfigProvider.getConfig().getOptionalValue(key, Integer.class).orElse(fallback);
    }

    private static String value(Config config, String key, String fallback) {
        return config.getOptionalValue(key, String.class).orElse(fallback);
    }
}
