package dev.minimalimage.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.minimalimage.operator.LeaderElection;
import dev.minimalimage.operator.OperatorSettings;
import dev.minimalimage.planning.ToolchainImages;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.config.EnvConfigSource;

/**
 * Boots the operator with the Helm chart's rendered settings (namespaces, retries, concurrency cap, build attempts,
 * builder pull secrets and CA bundle, the Lease) and checks what it watches, how it retries and what OperatorSettings
 * returns. The profile takes the operator container's env from the rendered Deployment and resolves every key the
 * code reads the way MicroProfile Config resolves env vars (SmallRye's EnvConfigSource: {@code a.b-c} from
 * {@code A_B_C}), so a chart env name that no longer matches a code key, or a code key the chart stopped setting,
 * fails here.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ChartSettingsTest.ChartValues.class)
class ChartSettingsTest {

    static final String CONTROLLER = "minimalimage";
    static final String RETRY_MAX_ATTEMPTS = "quarkus.operator-sdk.controllers." + CONTROLLER + ".retry.max-attempts";
    static final String NAMESPACES = "quarkus.operator-sdk.controllers." + CONTROLLER + ".namespaces";

    /** Every setting the chart's Deployment passes, by the key the code reads it under. */
    static final List<String> KEYS = List.of(
            NAMESPACES, RETRY_MAX_ATTEMPTS,
            OperatorSettings.MAX_CONCURRENT_BUILDS, OperatorSettings.MAX_BUILD_ATTEMPTS,
            OperatorSettings.BUILDER_IMAGE_PULL_SECRETS, OperatorSettings.CA_BUNDLE_CONFIG_MAP,
            OperatorSettings.CA_BUNDLE_KEY, OperatorSettings.LEASE_NAME, OperatorSettings.DOCKERFILE_STAGES,
            OperatorSettings.SMOKE_TEST_EMULATOR_IMAGE, OperatorSettings.SMOKE_TEST_LIST_NODES,
            "minimal-image.builder.image", "minimal-image.presets.c-musl.image", "minimal-image.presets.c-glibc.image",
            "minimal-image.presets.cpp.image", "minimal-image.presets.go.image", "minimal-image.presets.rust.image");
    /** Set from the downward API in the cluster; application.properties derives the Lease namespace from it. */
    static final String POD_NAMESPACE = "POD_NAMESPACE";
    /** Read by the java launcher, not by the operator's config (OperatorJvmOptionsTest checks it). */
    static final String JVM_OPTIONS = OperatorJvmOptionsTest.ENV;
    /** Read by glibc's malloc in the JVM's process, not by the operator's config. */
    static final String MALLOC_ARENA_MAX = "MALLOC_ARENA_MAX";

    static final String VALUES = """
            watchNamespaces: [a, b]
            reconcileRetries:
              maxAttempts: 5
            maxConcurrentBuilds: 7
            builder:
              maxAttempts: 2
              imagePullSecrets: [pull-a, pull-b]
              caBundle:
                configMap: corporate-ca
              dockerfileStages: Restricted
            presets:
              go: mirror.example.com/toolchains/go:1
            smokeTest:
              emulatorImage: mirror.example.com/tools/minimal-image-emulator:1
            """;

    public static class ChartValues implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return configFromChart(renderedEnv());
        }
    }

    @Inject
    Operator operator;

    @Inject
    LeaderElectionConfiguration leaderElection;

    @Test
    void watchesTheChartsNamespaces() {
        assertEquals(Set.of("a", "b"), controller().getInformerConfig().getNamespaces());
    }

    @Test
    void retriesAsTheChartSays() {
        assertThat(controller().getRetry()).isInstanceOfSatisfying(GenericRetry.class,
                retry -> assertEquals(5, retry.getMaxAttempts()));
    }

    @Test
    void operatorSettingsAreTheCharts() {
        assertEquals(7, OperatorSettings.maxConcurrentBuilds());
        assertEquals(2, OperatorSettings.maxBuildAttempts());
        assertEquals(List.of("pull-a", "pull-b"), OperatorSettings.builderImagePullSecrets());
        assertEquals(dev.minimalimage.api.v1alpha1.Dockerfile.StageSecurity.RESTRICTED,
                OperatorSettings.dockerfileStages());
        assertThat(OperatorSettings.caBundle()).hasValueSatisfying(bundle -> {
            assertEquals("corporate-ca", bundle.getConfigMap());
            assertEquals(dev.minimalimage.api.v1alpha1.CaBundle.DEFAULT_KEY, bundle.getKey());
        });
        assertEquals(Optional.of("mirror.example.com/tools/minimal-image-emulator:1"),
                OperatorSettings.smokeTestEmulatorImage());
        assertThat(OperatorSettings.smokeTestListNodes()).as("watchNamespaces set: no node listing").isFalse();
        ToolchainImages images = OperatorSettings.images();
        assertEquals("mirror.example.com/toolchains/go:1", images.go());
        assertEquals(HelmChartTest.TEST_BUILDER_REPOSITORY + ":0.1.0", images.builder(),
                "the builder image's own repository, its tag the chart's appVersion");
    }

    @Test
    void leaseIsTheReleasesInTheOperatorsNamespace() {
        assertEquals(HelmChartTest.RELEASE + "-minimal-image-operator", leaderElection.getLeaseName());
        assertEquals(Optional.of(HelmChartTest.NAMESPACE), leaderElection.getLeaseNamespace());
        // a replica that loses the Lease exits through LeaderElection's own callback, not the SDK's System.exit,
        // which blocked the JVM's shutdown when the SDK stopped leading from the shutdown thread
        assertThat(leaderElection.isExitOnStopLeading()).isFalse();
        assertThat(leaderElection.getLeaderCallbacks()).isPresent();
        assertEquals(Optional.of(LeaderElection.IDENTITY), leaderElection.getIdentity());
    }

    ControllerConfiguration<?> controller() {
        return operator.getRegisteredController(CONTROLLER).map(RegisteredController::getConfiguration)
                .orElseThrow(() -> new AssertionError("no controller " + CONTROLLER));
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** The operator container's env of the chart rendered with VALUES; POD_NAMESPACE as the downward API sets it. */
    static Map<String, String> renderedEnv() {
        try {
            Path values = Files.createTempFile("chart-settings", ".yaml");
            try {
                Files.writeString(values, VALUES);
                Container c = HelmChartTest.operatorContainer(HelmChartTest.render(values).one(Deployment.class));
                Map<String, String> env = new HashMap<>(HelmChartTest.env(c));
                assertThat(c.getEnv()).as("POD_NAMESPACE from the downward API")
                        .anyMatch(e -> e.getName().equals(POD_NAMESPACE) && e.getValueFrom() != null);
                env.put(POD_NAMESPACE, HelmChartTest.NAMESPACE);
                return env;
            } finally {
                Files.deleteIfExists(values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each code key resolved from the env as MicroProfile Config would (a key the chart does not set is an error),
     * and each env var of the chart claimed by some key (an env var no key reads is an error).
     */
    static Map<String, String> configFromChart(Map<String, String> env) {
        EnvConfigSource source = new EnvConfigSource(env, EnvConfigSource.ORDINAL);
        Map<String, String> config = new HashMap<>();
        for (String key : KEYS) {
            String value = source.getValue(key);
            if (value == null) {
                throw new IllegalStateException("the chart's Deployment sets no env var for " + key + ": " + env.keySet());
            }
            config.put(key, value);
        }
        for (String name : env.keySet()) {
            boolean read = name.equals(POD_NAMESPACE) || name.equals(JVM_OPTIONS) || name.equals(MALLOC_ARENA_MAX)
                    || KEYS.stream()
                    .anyMatch(key -> new EnvConfigSource(Map.of(name, env.get(name)), 0).getValue(key) != null);
            if (!read) {
                throw new IllegalStateException("the chart sets " + name + ", which no key of the operator reads");
            }
        }
        config.put(POD_NAMESPACE, env.get(POD_NAMESPACE));
        return config;
    }
}
