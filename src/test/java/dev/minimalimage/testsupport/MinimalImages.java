package dev.minimalimage.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * MinimalImage resources of one namespace as the end-to-end suites see them: create, read, wait until the status
 * describes the current generation and the build finished, and the events a user would read.
 */
public final class MinimalImages {

    private final KubernetesClient client;
    private final String namespace;
    private final Duration buildTimeout;
    private final Duration pollInterval;

    public MinimalImages(KubernetesClient client, String namespace, Duration buildTimeout, Duration pollInterval) {
        this.client = client;
        this.namespace = namespace;
        this.buildTimeout = buildTimeout;
        this.pollInterval = pollInterval;
    }

    public void create(MinimalImage resource) {
        resource.getMetadata().setNamespace(namespace);
        client.resource(resource).create();
    }

    public MinimalImage get(String name) {
        return client.resources(MinimalImage.class).inNamespace(namespace).withName(name).get();
    }

    /** Waits for Succeeded or Failed of the resource's current generation. */
    public MinimalImageStatus awaitFinished(String name) {
        await().atMost(buildTimeout).pollInterval(pollInterval).until(() -> Optional.ofNullable(get(name))
                .filter(r -> r.getStatus() != null && r.getStatus().getObservedGeneration() != null
                        && r.getStatus().getObservedGeneration().equals(r.getMetadata().getGeneration()))
                .map(MinimalImage::getStatus).map(MinimalImageStatus::getPhase)
                .filter(p -> p == MinimalImageStatus.Phase.Succeeded || p == MinimalImageStatus.Phase.Failed)
                .isPresent());
        return get(name).getStatus();
    }

    /** Waits for the build and requires Ready=True; {@code diagnosis} is shown when it is not. */
    public MinimalImageStatus awaitReady(String name, Supplier<String> diagnosis) {
        MinimalImageStatus status = awaitFinished(name);
        if (!"True".equals(ready(status).getStatus())) {
            assertThat(ready(status).getStatus()).as(Serialization.asYaml(status) + diagnosis.get()).isEqualTo("True");
        }
        assertThat(status.getObservedGeneration()).isEqualTo(get(name).getMetadata().getGeneration());
        return status;
    }

    public String events(String name) {
        return Serialization.asYaml(client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList());
    }

    public static Condition ready(MinimalImageStatus status) {
        return status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
    }
}
