package dev.minimalimage.operator;

import java.util.Map;
import java.util.Optional;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * spec.build.cache may name only a claim its owner opted in with a label: the operator mounts it read-write into a
 * compile step that runs the project's own scripts, so without the opt-in anyone who may create a MinimalImage could
 * read or overwrite every claim of the namespace (a database's, say) with the operator's rights.
 */
final class CacheClaims {

    static final String OPT_IN_LABEL = "build.minimalimage.dev/cache";

    private CacheClaims() {
    }

    /** Why the resource's cache claim may not be mounted, or empty when it may (or there is none). */
    static Optional<String> problem(KubernetesClient client, MinimalImage resource) {
        if (resource.getSpec() == null || resource.getSpec().getBuild() == null
                || resource.getSpec().getBuild().getCache() == null) {
            return Optional.empty();
        }
        String name = resource.getSpec().getBuild().getCache().getClaimName();
        String namespace = resource.getMetadata().getNamespace();
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        if (claim == null) {
            return Optional.of("spec.build.cache.claimName: no PersistentVolumeClaim " + name + " in namespace "
                    + namespace);
        }
        Map<String, String> labels = claim.getMetadata().getLabels();
        if (labels == null || !"true".equals(labels.get(OPT_IN_LABEL))) {
            return Optional.of("PersistentVolumeClaim " + name + " is not labelled " + OPT_IN_LABEL + "=true: only"
                    + " claims their owner opted in are mounted into builds (kubectl label pvc " + name + " "
                    + OPT_IN_LABEL + "=true)");
        }
        return Optional.empty();
    }
}
