package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.InlineSourceFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ConfigMap holding inline source files; mounted read-only into the compile step. */
@KubernetesDependent(informer = @Informer(labelSelector = BuilderLayout.LABEL_MANAGED_BY + "=" + BuilderLayout.MANAGED_BY))
public class InlineSourceConfigMap extends CRUDKubernetesDependentResource<ConfigMap, MinimalImage> {

    public InlineSourceConfigMap() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(MinimalImage resource, Context<MinimalImage> context) {
        BuildPlan plan = Plans.require(resource);
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(plan.sourceConfigMapName())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .addToLabels(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY)
                    .addToLabels(BuilderLayout.LABEL_COMPONENT, "source")
                .endMetadata()
                .withData(InlineSourceFiles.configMapData(plan.inlineFiles()))
                .build();
    }
}
