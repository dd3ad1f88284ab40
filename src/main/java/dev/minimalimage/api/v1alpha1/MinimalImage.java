package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A program built from source into a FROM-scratch image: `kubectl apply` in, digest + size + link verdict out. */
@JsonClassDescription("A program built from source into a FROM-scratch container image. The operator compiles"
        + " spec.source with the spec.language preset in a builder pod, verifies by parsing its ELF that the binary"
        + " runs without a distribution (static, or bundled with its loader and libraries), packs it into an image"
        + " of that file alone, pushes it to spec.image.name and writes the digest, the size and the link verdict"
        + " into status. Short name: mimg.")
@Group(MinimalImage.GROUP)
@Version(MinimalImage.VERSION)
@ShortNames("mimg")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Static", jsonPath = ".status.link.verdict", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Size", jsonPath = ".status.compressedSize", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Digest", jsonPath = ".status.shortDigest", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class MinimalImage extends CustomResource<MinimalImageSpec, MinimalImageStatus> implements Namespaced {

    public static final String GROUP = "build.minimalimage.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    @JsonPropertyDescription("What to build: source, language preset, target image, verification and builder settings.")
    public MinimalImageSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("Observed state of the latest build, written by the operator.")
    public MinimalImageStatus getStatus() {
        return super.getStatus();
    }

    @Override
    protected MinimalImageStatus initStatus() {
        return new MinimalImageStatus();
    }
}
