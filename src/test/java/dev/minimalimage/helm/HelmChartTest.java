package dev.minimalimage.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import dev.minimalimage.api.CrdDriftTest;
import dev.minimalimage.operator.OperatorSettings;
import dev.minimalimage.planning.BuilderLayout;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * The Helm chart, in-process through helm-java (Helm's Go library as a native lib): lint, then render with default
 * and with custom values and check what the operator needs. helm template does not render crds/, so the CRD copy is
 * compared byte for byte with crds/ and the generated YAML instead.
 */
public class HelmChartTest {

    static final Path CHART = Path.of("helm", "minimal-image-operator");
    static final String RELEASE = "mio";
    static final String NAMESPACE = "minimal-image-system";
    static final String KUBE_VERSION = "v1.31.0";
    /** image.repository has no default (the image is not published): every render here sets this one first. */
    static final String TEST_REPOSITORY = "registry.example.com/minimal-image/minimal-image-operator";
    static final String DEFAULT_IMAGE = TEST_REPOSITORY + ":0.1.0";
    /** builder.image.repository has no default either: its own image, never derived from the operator's. */
    static final String TEST_BUILDER_REPOSITORY = "registry.example.com/minimal-image/minimal-image-builder";

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), () -> "helm lint --strict failed:\n" + String.join("\n", lint.getMessages()));
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultValues() throws IOException {
        Rendered r = render(null);

        Deployment deployment = r.one(Deployment.class);
        assertEquals(RELEASE + "-minimal-image-operator", deployment.getMetadata().getName());
        assertEquals(NAMESPACE, deployment.getMetadata().getNamespace());
        assertEquals(1, deployment.getSpec().getReplicas());
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType(), "leader election makes overlap safe");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container c = operatorContainer(deployment);
        assertEquals(DEFAULT_IMAGE, c.getImage());
        assertEquals("IfNotPresent", c.getImagePullPolicy());
        assertThat(c.getCommand()).as("the image's entrypoint runs the jar").isNullOrEmpty();
        assertEquals(List.of("operator"), c.getArgs());

        assertRestricted(pod);
        SecurityContext sc = c.getSecurityContext();
        assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());

        assertProbe(c, c.getStartupProbe(), "/q/health/started");
        assertProbe(c, c.getLivenessProbe(), "/q/health/live");
        assertProbe(c, c.getReadinessProbe(), "/q/health/ready");

        Map<String, String> env = env(c);
        assertEquals(TEST_BUILDER_REPOSITORY + ":0.1.0", env.get("MINIMAL_IMAGE_BUILDER_IMAGE"),
                "the builder image's own repository, its tag the chart's appVersion");
        assertEquals("JOSDK_ALL_NAMESPACES", env.get("QUARKUS_OPERATOR_SDK_CONTROLLERS_MINIMALIMAGE_NAMESPACES"),
                "empty watchNamespaces = all namespaces");
        assertEquals("2", env.get("MALLOC_ARENA_MAX"), "glibc's arenas for the JVM, unless extraEnv sets them");
        // The chart's defaults repeat the operator's (application.properties); keep them in step.
        Properties app = applicationProperties();
        for (String[] preset : new String[][] {
                { "MINIMAL_IMAGE_PRESETS_C_MUSL_IMAGE", "minimal-image.presets.c-musl.image" },
                { "MINIMAL_IMAGE_PRESETS_C_GLIBC_IMAGE", "minimal-image.presets.c-glibc.image" },
                { "MINIMAL_IMAGE_PRESETS_CPP_IMAGE", "minimal-image.presets.cpp.image" },
                { "MINIMAL_IMAGE_PRESETS_GO_IMAGE", "minimal-image.presets.go.image" },
                { "MINIMAL_IMAGE_PRESETS_RUST_IMAGE", "minimal-image.presets.rust.image" } }) {
            assertThat(env.get(preset[0])).as(preset[0]).isNotBlank();
            if (app.containsKey(preset[1])) {
                assertEquals(app.getProperty(preset[1]), env.get(preset[0]), "values.yaml presets must match "
                        + preset[1] + " in src/main/resources/application.properties");
            }
        }

        // Operator settings: the chart's defaults are the code's (OperatorSettings, application.properties).
        assertThat(env)
                .containsEntry("MINIMAL_IMAGE_MAX_CONCURRENT_BUILDS", "" + OperatorSettings.DEFAULT_MAX_CONCURRENT_BUILDS)
                .containsEntry("MINIMAL_IMAGE_MAX_BUILD_ATTEMPTS", "" + OperatorSettings.DEFAULT_MAX_BUILD_ATTEMPTS)
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_MINIMALIMAGE_RETRY_MAX_ATTEMPTS",
                        app.getProperty("quarkus.operator-sdk.controllers.minimalimage.retry.max-attempts"))
                .containsEntry("MINIMAL_IMAGE_BUILDER_IMAGE_PULL_SECRETS", "")
                .containsEntry("MINIMAL_IMAGE_BUILDER_CA_BUNDLE_CONFIG_MAP", "")
                .containsEntry("MINIMAL_IMAGE_BUILDER_CA_BUNDLE_KEY", dev.minimalimage.api.v1alpha1.CaBundle.DEFAULT_KEY)
                .containsEntry("MINIMAL_IMAGE_LEADER_ELECTION_LEASE_NAME", RELEASE + "-minimal-image-operator");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertEquals("POD_NAMESPACE", e.getName(), "the Lease's namespace, by the downward API");
            assertEquals("metadata.namespace", e.getValueFrom().getFieldRef().getFieldPath());
        });

        ServiceAccount sa = r.one(ServiceAccount.class);
        assertEquals(sa.getMetadata().getName(), pod.getServiceAccountName());

        ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
        ClusterRole role = r.one(ClusterRole.class);
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(sa.getMetadata().getName(), binding.getSubjects().get(0).getName());
        assertEquals(NAMESPACE, binding.getSubjects().get(0).getNamespace());
        assertOperatorRules(role.getRules(), "the ClusterRole (every namespace watched)", OperatorPermissions.NODES);
        assertLeaderElectionRole(r, sa.getMetadata().getName());
        assertThat(r.all(Role.class)).as("no per-namespace Roles").hasSize(1);
        assertThat(r.all(NetworkPolicy.class)).as("builder NetworkPolicy is opt-in").isEmpty();

        Service service = r.one(Service.class);
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertEquals("http-metrics", p.getName());
            assertEquals(8080, p.getPort());
            assertEquals("http", p.getTargetPort().getStrVal());
        });
        assertThat(service.getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/q/metrics")
                .containsEntry("prometheus.io/port", "8080");
    }

    @Test
    void withWatchNamespacesNodesAreListedOnlyWhenAskedAndThroughAClusterRoleOfTheirOwn(@TempDir Path tmp)
            throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, """
                image: {repository: r.example/operator}
                builder: {image: {repository: r.example/builder}}
                watchNamespaces: [team-a]
                smokeTest:
                  listNodes: true
                  emulatorImage: r.example/minimal-image-emulator:1
                """);
        Rendered r = render(values);
        ClusterRole nodes = r.one(ClusterRole.class);
        assertThat(nodes.getMetadata().getName()).endsWith("-nodes");
        assertThat(nodes.getRules()).singleElement().satisfies(rule -> {
            assertEquals(List.of(OperatorPermissions.NODES.group()), rule.getApiGroups());
            assertEquals(List.of(OperatorPermissions.NODES.resource()), rule.getResources());
            assertThat(rule.getVerbs()).containsExactlyInAnyOrderElementsOf(OperatorPermissions.NODES.verbs());
        });
        assertEquals(nodes.getMetadata().getName(), r.one(ClusterRoleBinding.class).getRoleRef().getName());
        assertThat(env(operatorContainer(r.one(Deployment.class))))
                .containsEntry("MINIMAL_IMAGE_SMOKE_TEST_LIST_NODES", "true")
                .containsEntry("MINIMAL_IMAGE_SMOKE_TEST_EMULATOR_IMAGE", "r.example/minimal-image-emulator:1");
    }

    @Test
    void customValues(@TempDir Path tmp) throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, """
                image:
                  repository: mirror.example.com/minimal-image/operator
                  tag: "0.1.1"
                  pullPolicy: Always
                watchNamespaces: [team-a, team-b]
                replicas: 2
                maxConcurrentBuilds: 9
                reconcileRetries:
                  maxAttempts: 5
                builder:
                  image:
                    repository: mirror.example.com/minimal-image/builder
                    tag: "0.1.1"
                  maxAttempts: 2
                  imagePullSecrets: [mirror-pull, other-pull]
                  caBundle:
                    configMap: corporate-ca
                    key: bundle.pem
                  networkPolicy:
                    enabled: true
                    egress:
                      - to: [{ipBlock: {cidr: 10.20.30.0/24}}]
                        ports: [{protocol: TCP, port: 443}]
                presets:
                  cMusl: mirror.example.com/toolchains/c-musl:1
                  cGlibc: mirror.example.com/toolchains/c-glibc:1
                  cpp: mirror.example.com/toolchains/cpp:1
                  go: mirror.example.com/toolchains/go:1
                  rust: mirror.example.com/toolchains/rust:1
                extraEnv:
                  - name: QUARKUS_LOG_LEVEL
                    value: DEBUG
                  - name: MALLOC_ARENA_MAX
                    value: "4"
                resources:
                  requests: {cpu: 250m, memory: 384Mi}
                  limits: {memory: 768Mi}
                serviceAccount:
                  name: custom-sa
                """);
        Rendered r = render(values);
        Deployment deployment = r.one(Deployment.class);
        Container c = operatorContainer(deployment);
        assertEquals("mirror.example.com/minimal-image/operator:0.1.1", c.getImage());
        assertEquals("Always", c.getImagePullPolicy());
        assertEquals("768Mi", c.getResources().getLimits().get("memory").toString());
        assertEquals("custom-sa", deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals("custom-sa", r.one(ServiceAccount.class).getMetadata().getName());
        assertRestricted(deployment.getSpec().getTemplate().getSpec());

        assertThat(env(c))
                .containsEntry("MINIMAL_IMAGE_BUILDER_IMAGE", "mirror.example.com/minimal-image/builder:0.1.1")
                .containsEntry("MINIMAL_IMAGE_PRESETS_C_MUSL_IMAGE", "mirror.example.com/toolchains/c-musl:1")
                .containsEntry("MINIMAL_IMAGE_PRESETS_C_GLIBC_IMAGE", "mirror.example.com/toolchains/c-glibc:1")
                .containsEntry("MINIMAL_IMAGE_PRESETS_CPP_IMAGE", "mirror.example.com/toolchains/cpp:1")
                .containsEntry("MINIMAL_IMAGE_PRESETS_GO_IMAGE", "mirror.example.com/toolchains/go:1")
                .containsEntry("MINIMAL_IMAGE_PRESETS_RUST_IMAGE", "mirror.example.com/toolchains/rust:1")
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_MINIMALIMAGE_NAMESPACES", "team-a,team-b")
                .containsEntry("QUARKUS_LOG_LEVEL", "DEBUG")
                .containsEntry("MINIMAL_IMAGE_MAX_CONCURRENT_BUILDS", "9")
                .containsEntry("MINIMAL_IMAGE_MAX_BUILD_ATTEMPTS", "2")
                .containsEntry("MALLOC_ARENA_MAX", "4") // extraEnv's, once (env() refuses a name twice)
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_MINIMALIMAGE_RETRY_MAX_ATTEMPTS", "5")
                .containsEntry("MINIMAL_IMAGE_BUILDER_IMAGE_PULL_SECRETS", "mirror-pull,other-pull")
                .containsEntry("MINIMAL_IMAGE_BUILDER_CA_BUNDLE_CONFIG_MAP", "corporate-ca")
                .containsEntry("MINIMAL_IMAGE_BUILDER_CA_BUNDLE_KEY", "bundle.pem")
                .containsEntry("MINIMAL_IMAGE_SMOKE_TEST_LIST_NODES", "false")
                .containsEntry("MINIMAL_IMAGE_SMOKE_TEST_EMULATOR_IMAGE", "");
        assertEquals(2, deployment.getSpec().getReplicas());

        // watchNamespaces: everything through a Role per watched namespace, nothing cluster-wide
        assertThat(r.all(ClusterRole.class)).as("no ClusterRole with watchNamespaces set").isEmpty();
        assertThat(r.all(ClusterRoleBinding.class)).as("no ClusterRoleBinding with watchNamespaces set").isEmpty();
        assertLeaderElectionRole(r, "custom-sa");
        Map<String, Role> roles = r.all(Role.class).stream()
                .filter(role -> !role.getMetadata().getName().endsWith("-leader-election"))
                .collect(Collectors.toMap(role -> role.getMetadata().getNamespace(), role -> role));
        assertThat(roles).containsOnlyKeys("team-a", "team-b");
        roles.values().forEach(role -> assertOperatorRules(role.getRules(), "Role in " + role.getMetadata().getNamespace()));
        List<RoleBinding> bindings = r.all(RoleBinding.class).stream()
                .filter(b -> !b.getRoleRef().getName().endsWith("-leader-election")).toList();
        assertThat(bindings).extracting(b -> b.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        bindings.forEach(b -> {
            assertEquals("Role", b.getRoleRef().getKind());
            assertEquals(roles.get(b.getMetadata().getNamespace()).getMetadata().getName(), b.getRoleRef().getName());
        });
        r.all(RoleBinding.class).forEach(b -> assertThat(b.getSubjects()).singleElement().satisfies(s -> {
            assertEquals("custom-sa", s.getName());
            assertEquals(NAMESPACE, s.getNamespace());
        }));

        // the builder NetworkPolicy, one per watched namespace
        List<NetworkPolicy> policies = r.all(NetworkPolicy.class);
        assertThat(policies).extracting(p -> p.getMetadata().getNamespace()).containsExactlyInAnyOrder("team-a", "team-b");
        for (NetworkPolicy policy : policies) {
            assertBuilderPolicy(policy);
            List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
            assertThat(egress).as("DNS plus the user's rule").hasSize(2);
            assertEquals("10.20.30.0/24", egress.get(1).getTo().get(0).getIpBlock().getCidr());
            assertEquals(443, egress.get(1).getPorts().get(0).getPort().getIntVal());
        }
    }

    @Test
    void builderNetworkPolicyNamespaces(@TempDir Path tmp) throws IOException {
        Path clusterWide = tmp.resolve("cluster-wide.yaml");
        Files.writeString(clusterWide, "builder: {networkPolicy: {enabled: true}}\n");
        NetworkPolicy inRelease = render(clusterWide).one(NetworkPolicy.class);
        assertEquals(NAMESPACE, inRelease.getMetadata().getNamespace(), "cluster-wide watch: the release namespace");
        assertBuilderPolicy(inRelease);
        assertThat(inRelease.getSpec().getEgress()).as("only DNS").hasSize(1);

        Path listed = tmp.resolve("listed.yaml");
        Files.writeString(listed, "watchNamespaces: [team-a]\nbuilder: {networkPolicy: {enabled: true, namespaces: [builds-1, builds-2]}}\n");
        assertThat(render(listed).all(NetworkPolicy.class)).extracting(p -> p.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("builds-1", "builds-2");
    }

    /** NOTES.txt names the push Secret the way the docs do, and creates it the way kubectl users expect. */
    @Test
    void notesCreateThePushSecretTheExampleNames() throws IOException {
        String notes = Files.readString(CHART.resolve("templates").resolve("NOTES.txt"));
        assertThat(notes).contains("kubectl create secret docker-registry registry-credentials \\\n"
                + "    --docker-server=registry.example.com --docker-username=USER --docker-password=PASSWORD")
                .contains("pushSecret: registry-credentials")
                .contains("kubectl wait mimg/hello-c --for=condition=Ready");
    }

    @Test
    void chartCrdsAreTheCheckedInCrds() throws IOException {
        Path chartCrd = CHART.resolve("crds").resolve(CrdDriftTest.CRD_FILE);
        assertArrayEquals(Files.readAllBytes(CrdDriftTest.CHECKED_IN.resolve(CrdDriftTest.CRD_FILE)),
                Files.readAllBytes(chartCrd), chartCrd + " differs from crds/: run scripts/update-crds.sh");
        assertEquals(CrdDriftTest.ymlFiles(CrdDriftTest.CHECKED_IN), CrdDriftTest.ymlFiles(CHART.resolve("crds")));
        CrdDriftTest.assertSameCrds(CHART.resolve("crds"));
    }

    // ------------------------------------------------------------------------------------------------- helpers

    record Rendered(List<JsonNode> documents) {
        <T> T one(Class<T> type) {
            List<T> matching = all(type);
            assertThat(matching).as("rendered %s documents", type.getSimpleName()).hasSize(1);
            return matching.get(0);
        }

        <T> List<T> all(Class<T> type) {
            String kind = type.getSimpleName();
            return documents.stream().filter(d -> kind.equals(d.path("kind").asText()))
                    .map(d -> YAML.convertValue(d, type)).toList();
        }
    }

    /** Renders the chart with image.repository and builder.image.repository set to the test ones, then {@code valuesFile} (may override it). */
    static Rendered render(Path valuesFile) throws IOException {
        Path imageValues = Files.createTempFile("chart-image", ".yaml");
        String manifests;
        try {
            Files.writeString(imageValues, "image: {repository: " + TEST_REPOSITORY + "}\n"
                    + "builder: {image: {repository: " + TEST_BUILDER_REPOSITORY + "}}\n");
            // a current server; the cluster tier installs the chart on a real 1.20 server
            var template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                    .withKubeVersion(KUBE_VERSION).withValuesFile(imageValues);
            if (valuesFile != null) {
                template = template.withValuesFile(valuesFile);
            }
            manifests = template.call();
        } finally {
            Files.deleteIfExists(imageValues);
        }
        List<JsonNode> documents = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    documents.add(doc);
                }
            }
        }
        assertThat(documents.stream().map(d -> d.get("kind").asText()).collect(Collectors.toSet()))
                .containsAll(Set.of("ServiceAccount", "Role", "RoleBinding", "Service", "Deployment"))
                .isSubsetOf(Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                        "Service", "Deployment", "NetworkPolicy"));
        return new Rendered(documents);
    }

    static Container operatorContainer(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    static void assertProbe(Container c, Probe probe, String path) {
        assertThat(probe).as("probe %s", path).isNotNull();
        assertEquals(path, probe.getHttpGet().getPath());
        Object port = probe.getHttpGet().getPort().getIntVal() != null ? probe.getHttpGet().getPort().getIntVal()
                : c.getPorts().stream().filter(p -> p.getName().equals(probe.getHttpGet().getPort().getStrVal()))
                        .map(p -> p.getContainerPort()).findFirst().orElse(null);
        assertEquals(8080, port, "probe " + path + " port");
    }

    /** Pod Security Standards, "restricted" profile (v1.25+), as far as this pod can violate it. */
    static void assertRestricted(PodSpec pod) {
        List<String> violations = new ArrayList<>();
        if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                || Boolean.TRUE.equals(pod.getHostIPC())) {
            violations.add("host namespaces");
        }
        Set<String> allowedVolumes = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                "persistentVolumeClaim", "projected", "secret");
        pod.getVolumes().forEach(v -> {
            JsonNode volume = YAML.valueToTree(v);
            volume.fieldNames().forEachRemaining(f -> {
                if (!f.equals("name") && !allowedVolumes.contains(f)) {
                    violations.add("volume type " + f);
                }
            });
        });
        var podSc = pod.getSecurityContext();
        boolean podNonRoot = podSc != null && Boolean.TRUE.equals(podSc.getRunAsNonRoot());
        String podSeccomp = podSc == null || podSc.getSeccompProfile() == null ? null : podSc.getSeccompProfile().getType();
        if (podSc != null && Objects.equals(podSc.getRunAsUser(), 0L)) {
            violations.add("pod runAsUser 0");
        }
        List<Container> all = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            all.addAll(pod.getInitContainers());
        }
        for (Container c : all) {
            SecurityContext sc = c.getSecurityContext();
            if (sc == null) {
                violations.add(c.getName() + ": no securityContext");
                continue;
            }
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                violations.add(c.getName() + ": privileged");
            }
            if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                violations.add(c.getName() + ": allowPrivilegeEscalation must be false");
            }
            if (!(podNonRoot || Boolean.TRUE.equals(sc.getRunAsNonRoot())) || Boolean.FALSE.equals(sc.getRunAsNonRoot())) {
                violations.add(c.getName() + ": runAsNonRoot must be true");
            }
            if (Objects.equals(sc.getRunAsUser(), 0L)) {
                violations.add(c.getName() + ": runAsUser 0");
            }
            String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType() : podSeccomp;
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                violations.add(c.getName() + ": seccompProfile must be RuntimeDefault or Localhost");
            }
            if (sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
                    || !sc.getCapabilities().getDrop().contains("ALL")) {
                violations.add(c.getName() + ": capabilities must drop ALL");
            } else if (sc.getCapabilities().getAdd() != null
                    && sc.getCapabilities().getAdd().stream().anyMatch(a -> !a.equals("NET_BIND_SERVICE"))) {
                violations.add(c.getName() + ": only NET_BIND_SERVICE may be added");
            }
            if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getHostPort() != null && p.getHostPort() != 0)) {
                violations.add(c.getName() + ": hostPort");
            }
        }
        assertThat(violations).as("Pod Security restricted violations").isEmpty();
    }

    /**
     * Exactly the operator's table (OperatorPermissions): every resource with exactly its verbs, nothing more (no
     * create/delete on MinimalImages, no update on pods or ConfigMaps), no wildcards.
     */
    static void assertOperatorRules(List<PolicyRule> rules, String what, OperatorPermissions.Grant... more) {
        Map<String, Set<String>> granted = new java.util.TreeMap<>();
        for (PolicyRule rule : rules) {
            assertThat(rule.getVerbs()).as(what + ": no wildcard verbs").doesNotContain("*");
            assertThat(rule.getResources()).as(what + ": no wildcard resources").doesNotContain("*");
            assertThat(rule.getApiGroups()).as(what + ": no wildcard groups").doesNotContain("*");
            assertThat(rule.getResourceNames()).as(what + ": no resource names").isNullOrEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    granted.computeIfAbsent((group.isEmpty() ? "core" : group) + "/" + resource,
                            k -> new java.util.TreeSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        List<OperatorPermissions.Grant> expected = new java.util.ArrayList<>(OperatorPermissions.IN_A_WATCHED_NAMESPACE);
        expected.addAll(List.of(more));
        assertEquals(OperatorPermissions.byResource(expected), granted, what);
    }

    /** Leases in the release namespace only, for leader election. */
    static void assertLeaderElectionRole(Rendered r, String serviceAccount) {
        Role role = r.all(Role.class).stream().filter(x -> x.getMetadata().getName().endsWith("-leader-election"))
                .findFirst().orElseThrow(() -> new AssertionError("no leader-election Role"));
        assertEquals(NAMESPACE, role.getMetadata().getNamespace());
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertEquals(List.of(OperatorPermissions.LEADER_ELECTION.group()), rule.getApiGroups());
            assertEquals(List.of(OperatorPermissions.LEADER_ELECTION.resource()), rule.getResources());
            assertThat(rule.getVerbs()).containsExactlyInAnyOrderElementsOf(OperatorPermissions.LEADER_ELECTION.verbs());
        });
        RoleBinding binding = r.all(RoleBinding.class).stream()
                .filter(b -> b.getRoleRef().getName().equals(role.getMetadata().getName())).findFirst().orElseThrow();
        assertEquals(NAMESPACE, binding.getMetadata().getNamespace());
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(serviceAccount, binding.getSubjects().get(0).getName());
    }

    /** Selects builder pods (BuilderLayout's labels); no ingress; egress first to DNS on UDP and TCP 53. */
    static void assertBuilderPolicy(NetworkPolicy policy) {
        assertEquals(Map.of(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY,
                BuilderLayout.LABEL_COMPONENT, BuilderLayout.COMPONENT_BUILDER),
                policy.getSpec().getPodSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).as("deny all ingress").isNullOrEmpty();
        NetworkPolicyEgressRule dns = policy.getSpec().getEgress().get(0);
        assertThat(dns.getPorts()).extracting(NetworkPolicyPort::getProtocol, p -> p.getPort().getIntVal())
                .containsExactlyInAnyOrder(tuple("UDP", 53),
                        tuple("TCP", 53));
        assertEquals("kube-system", dns.getTo().get(0).getNamespaceSelector().getMatchLabels()
                .get("kubernetes.io/metadata.name"));
    }

    static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        Path file = Path.of("src", "main", "resources", "application.properties");
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                p.load(reader);
            }
        }
        return p;
    }
}
