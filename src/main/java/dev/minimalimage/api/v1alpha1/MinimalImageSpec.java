package dev.minimalimage.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "has(self.language) != has(self.dockerfile)",
        message = "exactly one of spec.language or spec.dockerfile must be set")
public class MinimalImageSpec {

    @Required
    @JsonPropertyDescription("Where the program's source comes from: exactly one of git or inline.")
    private Source source;

    @JsonPropertyDescription("The language preset (toolchain, static-link flags) that compiles the source; exactly"
            + " one of language or dockerfile.")
    private Language language;

    @JsonPropertyDescription("Build with a multi-stage Dockerfile from the source instead of a language preset: its"
            + " final stage must be FROM scratch; every ELF file it ships is verified (docs/dockerfile.md).")
    private Dockerfile dockerfile;

    @Required
    @JsonPropertyDescription("The image to produce and where to push it.")
    private ImageTarget image;

    @Size(max = 2)
    @JsonPropertyDescription("The platforms to build for (linux/amd64, linux/arm64), each once. Each platform's"
            + " binary is cross-compiled statically by the preset and verified to be an ELF for that platform; two"
            + " platforms are pushed as one OCI image index (status.digest is the index's, status.platforms lists"
            + " each image), one platform as a plain image. Default: linux/amd64, a plain image (docs/platforms.md).")
    private List<TargetPlatform> platforms;

    @ValidationRule(value = "!has(self.extraLibraries) || (has(self.linkPolicy) && self.linkPolicy == 'Bundle')",
            message = "extraLibraries only applies with linkPolicy: Bundle")
    @JsonPropertyDescription("How the produced binary is checked before it is packed.")
    private Verify verify = new Verify();

    @Size(max = 253)
    @JsonPropertyDescription("Any string; changing it rebuilds the same inputs (a fixed base, a moved tag). Part of"
            + " the build's inputs, so GitOps tools can trigger a rebuild by editing it.")
    private String rebuild;

    @JsonPropertyDescription("Limits and placement of the builder pod.")
    private BuildSettings build = new BuildSettings();

    public List<TargetPlatform> getPlatforms() { return platforms; }
    public void setPlatforms(List<TargetPlatform> platforms) { this.platforms = platforms; }
    public String getRebuild() { return rebuild; }
    public void setRebuild(String rebuild) { this.rebuild = rebuild; }
    public Source getSource() { return source; }
    public void setSource(Source source) { this.source = source; }
    public Dockerfile getDockerfile() { return dockerfile; }
    public void setDockerfile(Dockerfile dockerfile) { this.dockerfile = dockerfile; }
    public Language getLanguage() { return language; }
    public void setLanguage(Language language) { this.language = language; }
    public ImageTarget getImage() { return image; }
    public void setImage(ImageTarget image) { this.image = image; }
    public Verify getVerify() { return verify; }
    public void setVerify(Verify verify) { this.verify = verify; }
    public BuildSettings getBuild() { return build; }
    public void setBuild(BuildSettings build) { this.build = build; }
}
