package dev.minimalimage.operator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.PullSecretReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Wakes the resources that name a Secret (push, git credentials, image pull) when that Secret is created or changed,
 * so a build refused for a missing Secret or key starts as soon as it is fixed. The informer keeps no Secret values:
 * its store drops them on arrival and keeps only metadata, type and key names (what the pre-flight check reads).
 */
final class NamedSecrets {

    static final String INDEX = "named-secrets";
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private NamedSecrets() {
    }

    static InformerEventSource<Secret, MinimalImage> eventSource(EventSourceContext<MinimalImage> context) {
        context.getPrimaryCache().addIndexer(INDEX, NamedSecrets::keys);
        InformerEventSourceConfiguration<Secret> configuration = InformerEventSourceConfiguration
                .from(Secret.class, MinimalImage.class)
                .withName("named-secrets")
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                        .byIndex(INDEX, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withItemStore(new KeysOnlyStore())
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /** namespace/name of every Secret the resource's spec names. */
    static List<String> keys(MinimalImage resource) {
        MinimalImageSpec spec = resource.getSpec();
        String namespace = resource.getMetadata().getNamespace();
        List<String> names = new ArrayList<>();
        if (spec == null) {
            return names;
        }
        if (spec.getImage() != null && spec.getImage().getPushSecret() != null) {
            names.add(spec.getImage().getPushSecret());
        }
        if (spec.getSource() != null && spec.getSource().getGit() != null
                && spec.getSource().getGit().getCredentialsSecret() != null) {
            names.add(spec.getSource().getGit().getCredentialsSecret());
        }
        if (spec.getBuild() != null && spec.getBuild().getImagePullSecrets() != null) {
            spec.getBuild().getImagePullSecrets().stream().map(PullSecretReference::getName).forEach(names::add);
        }
        return names.stream().filter(n -> n != null && !n.isBlank()).map(n -> key(namespace, n)).distinct().toList();
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** A Secret store without values: each key maps to an empty string. */
    static final class KeysOnlyStore extends BasicItemStore<Secret> {
        KeysOnlyStore() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public Secret put(String key, Secret secret) {
            return super.put(key, withoutValues(secret));
        }

        static Secret withoutValues(Secret secret) {
            Map<String, String> keys = new LinkedHashMap<>();
            for (Map<String, String> data : new Map[] {secret.getData(), secret.getStringData()}) {
                if (data != null) {
                    data.keySet().forEach(k -> keys.put(k, ""));
                }
            }
            // kubectl apply copies the whole Secret, values included, into an annotation: never keep that one
            Map<String, String> annotations = new LinkedHashMap<>(Objects.requireNonNullElse(
                    secret.getMetadata().getAnnotations(), Map.of()));
            annotations.remove(LAST_APPLIED);
            return new SecretBuilder().withMetadata(new ObjectMetaBuilder(secret.getMetadata())
                    .withAnnotations(annotations).withManagedFields(List.of()).build())
                    .withType(secret.getType()).withData(keys).build();
        }
    }
}
