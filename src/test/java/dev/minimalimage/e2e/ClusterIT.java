package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.operator.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Against a real cluster, when KUBECONFIG names one (skipped otherwise). Admission checks need only the CRD (applied
 * here from crds/); the build needs the operator installed from helm/ and MINIMAL_IMAGE_E2E_IMAGE naming a
 * repository the cluster can push to (with MINIMAL_IMAGE_E2E_PUSH_SECRET if it needs credentials).
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

    static final Path CRD = Path.of("crds/minimalimages.build.minimalimage.dev-v1.yml");
    KubernetesClient client;
    String namespace;

    @BeforeAll
    void connect() throws Exception {
        client = new KubernetesClientBuilder().build();
        try (InputStream crd = Files.newInputStream(CRD)) {
            client.load(crd).serverSideApply();
        }
        namespace = "mimg-e2e-" + Long.toHexString(System.nanoTime());
        client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(MinimalImage.class).inNamespace(namespace)
                .list() != null);
    }

    @AfterAll
    void cleanUp() {
        if (client != null && namespace != null) {
            client.namespaces().withName(namespace).delete();
            client.close();
        }
    }

    @Test
    void apiServerRejectsInvalidResourcesAtAdmission() {
        MinimalImage both = Resources.helloC("both", "registry.example/both:1");
        Source.Git git = new Source.Git();
        git.setUrl("https://example.org/x.git");
        both.getSpec().getSource().setGit(git);
        assertRejected(both, "exactly one of source.git or source.inline");

        MinimalImage upper = Resources.helloC("upper", "registry.example/UPPER:1");
        assertRejected(upper, "spec.image.name");

        MinimalImage shortTimeout = Resources.helloC("short", "registry.example/short:1");
        shortTimeout.getSpec().getBuild().setTimeout("30s");
        assertRejected(shortTimeout, "between 1m and 6h");
    }

    @Test
    void inlineCProgramBecomesReadyWithADigest() {
        String image = System.getenv("MINIMAL_IMAGE_E2E_IMAGE");
        Assumptions.assumeTrue(image != null && !image.isBlank(), "set MINIMAL_IMAGE_E2E_IMAGE to run a real build");
        MinimalImage hello = Resources.helloC("hello", image);
        hello.getSpec().getImage().setInsecure(Boolean.parseBoolean(System.getenv("MINIMAL_IMAGE_E2E_INSECURE")));
        hello.getSpec().getImage().setPushSecret(System.getenv("MINIMAL_IMAGE_E2E_PUSH_SECRET"));
        hello.getMetadata().setNamespace(namespace);
        client.resource(hello).create();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).until(() -> Optional
                .ofNullable(client.resources(MinimalImage.class).inNamespace(namespace).withName("hello").get().getStatus())
                .map(MinimalImageStatus::getPhase).filter(p -> p == MinimalImageStatus.Phase.Succeeded
                        || p == MinimalImageStatus.Phase.Failed).isPresent());
        MinimalImageStatus status = client.resources(MinimalImage.class).inNamespace(namespace).withName("hello").get()
                .getStatus();
        assertThat(status.getPhase()).as(status.getConditions().toString()).isEqualTo(MinimalImageStatus.Phase.Succeeded);
        assertThat(status.getDigest()).startsWith("sha256:");
        assertThat(status.getLink().getVerdict()).isEqualTo("Static");
    }

    void assertRejected(MinimalImage resource, String expectedMessage) {
        resource.getMetadata().setNamespace(namespace);
        assertThatThrownBy(() -> client.resource(resource).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(expectedMessage);
    }
}
