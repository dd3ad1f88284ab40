package dev.minimalimage.operator;

import java.util.Set;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.BuilderPodFactory;
import dev.minimalimage.planning.InlineSourceFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The ConfigMap holding inline source files, mounted read-only into the compile step. Named from the resource and
 * the inputs hash and immutable, so a pod always compiles the files of its own inputs (an edit makes a new
 * ConfigMap for a new pod, never changes the files under a running one); create-only (never updated) for the same
 * reason. The pod waits for it ({@link BuildNeededCondition}). It lives while its build is open
 * ({@link InlineSourceCondition}): the reconciler deletes it when the build ends and those of earlier inputs; the
 * controller owner reference takes it with the resource. Not a JOSDK {@code Deleter} (nor {@code GarbageCollected},
 * which is one) so that JOSDK never deletes it on its own, whatever its conditions say.
 */
@KubernetesDependent(informer = @Informer(labelSelector = BuilderLayout.LABEL_MANAGED_BY + "=" + BuilderLayout.MANAGED_BY,
        itemStore = LeanItemStore.class))
public class InlineSourceConfigMap extends KubernetesDependentResource<ConfigMap, MinimalImage>
        implements Creator<ConfigMap, MinimalImage>, SecondaryToPrimaryMapper<ConfigMap> {

    static final String COMPONENT = "source";

    public InlineSourceConfigMap() {
        super(ConfigMap.class);
    }

    /**
     * By the controller owner reference, which every source ConfigMap carries: JOSDK would otherwise map a
     * non-garbage-collected dependent by annotations of its own, which the ConfigMaps of earlier operator versions
     * (a {@code GarbageCollected} dependent then) lack, so they would never reach the reconciler's clean-up.
     */
    @Override
    public Set<ResourceID> toPrimaryResourceIDs(ConfigMap configMap) {
        return Mappers.<ConfigMap>fromOwnerReferences(MinimalImage.class, false).toPrimaryResourceIDs(configMap);
    }

    @Override
    protected ConfigMap desired(MinimalImage resource, Context<MinimalImage> context) {
        BuildPlan plan = WorkflowInput.of(context).requirePlan();
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(plan.sourceConfigMapName())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .addToLabels(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY)
                    .addToLabels(BuilderLayout.LABEL_COMPONENT, COMPONENT)
                    .addToLabels(BuilderLayout.LABEL_BUILD_HASH, plan.inputsHash())
                    .withOwnerReferences(BuilderPodFactory.controllerReference(resource))
                .endMetadata()
                .withData(InlineSourceFiles.configMapData(plan.inlineFiles()))
                .withImmutable(true)
                .build();
    }
}
