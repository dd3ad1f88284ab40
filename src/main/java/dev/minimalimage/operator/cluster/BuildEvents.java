package dev.minimalimage.operator.cluster;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.git.UrlMasking;
import dev.minimalimage.planning.GeneratedNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Kubernetes Events for `kubectl describe`: best effort, never failing a reconcile. */
@ApplicationScoped
public class BuildEvents {

    private static final Logger LOG = Logger.getLogger(BuildEvents.class);
    private static final int MAX_MESSAGE = 1024;

    @Inject
    KubernetesClient client;

    public void normal(MinimalImage resource, String reason, String message) {
        emit(resource, "Normal", reason, message);
    }

    public void warning(MinimalImage resource, String reason, String message) {
        emit(resource, "Warning", reason, message);
    }

    /** Unique per event; a resource name near the 253-character limit gets a prefix plus hash, never a rejection. */
    static String eventName(String resourceName) {
        return GeneratedNames.of(resourceName, "." + Long.toHexString(System.nanoTime())
                + String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000)),
                GeneratedNames.MAX_SUBDOMAIN);
    }

    private void emit(MinimalImage resource, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String masked = UrlMasking.mask(message);
        Event event = new EventBuilder()
                .withNewMetadata()
                    .withName(eventName(resource.getMetadata().getName()))
                    .withNamespace(resource.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion(resource.getApiVersion()).withKind(resource.getKind())
                    .withName(resource.getMetadata().getName()).withNamespace(resource.getMetadata().getNamespace())
                    .withUid(resource.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type).withReason(reason)
                .withMessage(masked.length() <= MAX_MESSAGE ? masked : masked.substring(0, MAX_MESSAGE))
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent("minimal-image-operator").endSource()
                .build();
        try {
            client.v1().events().inNamespace(resource.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.debugf("event %s for %s not recorded: %s", reason, resource.getMetadata().getName(), e.getMessage());
        }
    }
}
