package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

class LeanItemStoreTest {

    @Test
    void keepsWhatTheOperatorReadsAndDropsManagedFieldsAndTheLastAppliedCopy() {
        MinimalImage resource = Resources.helloC("lean", "registry.example/lean:1");
        resource.setMetadata(new ObjectMetaBuilder(resource.getMetadata()).withNamespace("ns").withResourceVersion("7")
                .withGeneration(3L)
                .withAnnotations(new java.util.LinkedHashMap<>(Map.of(NamedSecrets.LAST_APPLIED, "{\"spec\":{}}",
                        "team", "platform")))
                .withManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Update")
                        .build()))
                .build());
        String specBefore = Serialization.asJson(resource.getSpec());
        LeanItemStore<MinimalImage> store = new LeanItemStore<>();

        store.put("ns/lean", resource);

        MinimalImage kept = store.get("ns/lean");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).containsOnlyKeys("team");
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(kept.getMetadata().getGeneration()).isEqualTo(3L);
        assertThat(Serialization.asJson(kept.getSpec())).isEqualTo(specBefore);
        assertThat(store.keySet()).containsExactly("ns/lean");
    }

    @Test
    void anObjectWithoutAnnotationsIsStoredAsItIs() {
        MinimalImage resource = Resources.helloC("plain", "registry.example/plain:1");
        resource.getMetadata().setNamespace("ns");
        resource.getMetadata().setAnnotations(null);

        new LeanItemStore<MinimalImage>().put("ns/plain", resource);

        assertThat(resource.getMetadata().getAnnotations()).isNull();
        assertThat(resource.getMetadata().getName()).isEqualTo("plain");
    }
}
