package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** The error-status handler: what an API failure after the last retry shows, and when it shows nothing. */
class ErrorStatusTest {

    final MinimalImageReconciler reconciler = new MinimalImageReconciler();

    @Test
    void quotaAndWebhookRefusalsHaveTheirOwnReasonsAndOtherFailuresAreReconcileError() {
        MinimalImage resource = resource(1L);
        assertThat(ready(reconciler.errorStatus(resource, api(403, "pods \"x-build-1\" is forbidden: exceeded quota:"
                + " compute, requested: pods=1, used: pods=4, limited: pods=4"), true).orElseThrow()))
                .satisfies(c -> {
                    assertThat(c.getReason()).isEqualTo("QuotaExceeded");
                    assertThat(c.getMessage()).contains("ResourceQuota").contains("limited: pods=4");
                });
        assertThat(ready(reconciler.errorStatus(resource, api(400, "admission webhook \"policy.example\" denied the"
                + " request: no hostPath"), true).orElseThrow()).getReason()).isEqualTo("PodRejected");
        Condition other = ready(reconciler.errorStatus(resource, new IllegalStateException("wrapped",
                api(500, "etcdserver: request timed out")), true).orElseThrow());
        assertThat(other.getReason()).isEqualTo("ReconcileError");
        assertThat(other.getMessage()).isEqualTo("the API server answered HTTP 500: etcdserver: request timed out");
        assertThat(other.getStatus()).isEqualTo("False");
    }

    @Test
    void nothingBeforeTheLastRetryAndNeverOverASuccessOfTheSameGeneration() {
        assertThat(reconciler.errorStatus(resource(1L), api(500, "x"), false)).isEmpty();

        MinimalImage built = resource(3L);
        MinimalImageStatus succeeded = new MinimalImageStatus();
        succeeded.setPhase(MinimalImageStatus.Phase.Succeeded);
        succeeded.setObservedGeneration(3L);
        built.setStatus(succeeded);
        assertThat(reconciler.errorStatus(built, api(500, "x"), true)).isEmpty();

        built.getMetadata().setGeneration(4L); // a newer spec that could not be acted on: that is news
        assertThat(reconciler.errorStatus(built, api(500, "x"), true)).isPresent();
    }

    static MinimalImage resource(long generation) {
        MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
        resource.getMetadata().setNamespace("ns");
        resource.getMetadata().setGeneration(generation);
        return resource;
    }

    static KubernetesClientException api(int code, String message) {
        Status status = new StatusBuilder().withCode(code).withMessage(message).build();
        return new KubernetesClientException(status);
    }

    static Condition ready(MinimalImageStatus status) {
        List<Condition> conditions = status.getConditions();
        return conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
    }
}
