package dev.minimalimage.operator;

import java.util.Map;
import java.util.TreeMap;

import dev.minimalimage.api.v1alpha1.ImageTarget;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.Source;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

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
}
