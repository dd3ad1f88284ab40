package dev.minimalimage.operator;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import dev.minimalimage.api.v1alpha1.ImageTarget;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.Source;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** MinimalImage resources as a user would write them. */
public final class Resources {

    private Resources() {
    }

    public static MinimalImage inline(String name, Language.Name language, String imageName, Map<String, String> files) {
        Source.Inline inline = new Source.Inline();
        inline.setFiles(new TreeMap<>(files));
        Source source = new Source();
        source.setInline(inline);
        Language lang = new Language();
        lang.setName(language);
        ImageTarget image = new ImageTarget();
        image.setName(imageName);
        image.setInsecure(true);
        MinimalImageSpec spec = new MinimalImageSpec();
        spec.setSource(source);
        spec.setLanguage(lang);
        spec.setImage(image);
        MinimalImage resource = new MinimalImage();
        resource.setMetadata(new ObjectMetaBuilder().withName(name).build());
        resource.setSpec(spec);
        return resource;
    }

    public static MinimalImage helloC(String name, String imageName) {
        return inline(name, Language.Name.C, imageName,
                Map.of("main.c", "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"));
    }

    /**
     * What a test left in {@code namespace}: its MinimalImages and their pods. The mock API server has no garbage
     * collector, and an unfinished builder pod left behind would hold one of the operator's build slots (4, as in
     * production) for the rest of the run.
     */
    public static void deleteAll(KubernetesClient client, String namespace) {
        client.resources(MinimalImage.class).inNamespace(namespace).list().getItems()
                .forEach(resource -> client.resource(resource).delete());
        await().atMost(Duration.ofSeconds(20)).until(() -> client.resources(MinimalImage.class).inNamespace(namespace)
                .list().getItems().isEmpty());
        // a reconcile in flight when its resource went may still create a pod: delete until none is left
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            client.pods().inNamespace(namespace).list().getItems().forEach(pod -> client.resource(pod).delete());
            return client.pods().inNamespace(namespace).list().getItems().isEmpty();
        });
    }
}
