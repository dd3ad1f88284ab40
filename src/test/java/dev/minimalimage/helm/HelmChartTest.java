package dev.minimalimage.helm;

import static org.assertj.core.api.Assertions.assertThat;
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
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

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
    static final String DEFAULT_IMAGE = "ghcr.io/minimal-image/minimal-image-operator:0.1.0";

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
        assertEquals(DEFAULT_IMAGE, env.get("MINIMAL_IMAGE_BUILDER_IMAGE"), "builder defaults to the operator image");
        assertEquals("JOSDK_ALL_NAMESPACES", env.get("QUARKUS_OPERATOR_SDK_CONTROLLERS_MINIMALIMAGE_NAMESPACES"),
                "empty watchNamespaces = all namespaces");
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

        ServiceAccount sa = r.one(ServiceAccount.class);
        assertEquals(sa.getMetadata().getName(), pod.getServiceAccountName());

        ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
        ClusterRole role = r.one(ClusterRole.class);
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(sa.getMetadata().getName(), binding.getSubjects().get(0).getName());
        assertEquals(NAMESPACE, binding.getSubjects().get(0).getNamespace());
        assertRbac(role);

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
    void customValues(@TempDir Path tmp) throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, """
                image:
                  repository: mirror.example.com/minimal-image/operator
                  tag: "0.1.1"
                  pullPolicy: Always
                watchNamespaces: [team-a, team-b]
                builder:
                  image: mirror.example.com/minimal-image/builder:0.1.1
                presets:
                  cMusl: mirror.example.com/toolchains/c-musl:1
                  cGlibc: mirror.example.com/toolchains/c-glibc:1
                  cpp: mirror.example.com/toolchains/cpp:1
                  go: mirror.example.com/toolchains/go:1
                  rust: mirror.example.com/toolchains/rust:1
                extraEnv:
                  - name: QUARKUS_LOG_LEVEL
                    value: DEBUG
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
                .containsEntry("QUARKUS_LOG_LEVEL", "DEBUG");
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
            String kind = type.getSimpleName();
            List<JsonNode> matching = documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
            assertThat(matching).as("rendered %s documents", kind).hasSize(1);
            return YAML.convertValue(matching.get(0), type);
        }
    }

    static Rendered render(Path valuesFile) throws IOException {
        // a current server; the cluster tier installs the chart on a real 1.20 server
        var template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        String manifests = template.call();
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
                .containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment");
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

    static void assertRbac(ClusterRole role) {
        String crGroup = "build.minimalimage.dev";
        assertVerbs(role, crGroup, "minimalimages", "get", "list", "watch", "create", "update", "patch", "delete");
        assertVerbs(role, crGroup, "minimalimages/status", "get", "update", "patch");
        assertVerbs(role, crGroup, "minimalimages/finalizers", "update");
        assertVerbs(role, "", "pods", "get", "list", "watch", "create", "delete", "patch", "update");
        assertVerbs(role, "", "configmaps", "get", "list", "watch", "create", "delete", "patch", "update");
        assertVerbs(role, "", "pods/log", "get");
        assertVerbs(role, "", "events", "create", "patch");
        assertVerbs(role, "", "secrets", "get");
        assertVerbs(role, "", "persistentvolumeclaims", "get");
        assertVerbs(role, "apiextensions.k8s.io", "customresourcedefinitions", "get", "list");
        // read-only where it must be
        // Secrets: only read one by one, by name, to check a build's before its pod exists; never listed or cached
        assertThat(verbs(role, "", "secrets")).containsExactly("get");
        assertThat(verbs(role, "", "persistentvolumeclaims")).containsExactly("get");
        assertThat(verbs(role, "apiextensions.k8s.io", "customresourcedefinitions")).containsExactlyInAnyOrder("get", "list");
        assertThat(role.getRules()).noneMatch(r -> r.getVerbs().contains("*") || r.getResources().contains("*")
                || r.getApiGroups().contains("*"));
    }

    static void assertVerbs(ClusterRole role, String group, String resource, String... expected) {
        assertThat(verbs(role, group, resource)).as("verbs on %s/%s", group, resource).contains(expected);
    }

    static Set<String> verbs(ClusterRole role, String group, String resource) {
        return role.getRules().stream()
                .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
                .map(PolicyRule::getVerbs).flatMap(List::stream).collect(Collectors.toSet());
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
