package dev.minimalimage.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;

@ValidationRule(value = "self.name != 'custom' || has(self.custom)", message = "language custom needs language.custom (image and script)")
@ValidationRule(value = "!has(self.libc) || self.name == 'c'", message = "libc applies to language c only")
@ValidationRule(value = "!has(self.goPackage) || self.name == 'go'", message = "goPackage applies to language go only")
public class Language {

    public enum Name {
        @JsonProperty("c") C,
        @JsonProperty("cpp") CPP,
        @JsonProperty("go") GO,
        @JsonProperty("rust") RUST,
        @JsonProperty("custom") CUSTOM
    }

    public enum Libc {
        @JsonProperty("musl") MUSL,
        @JsonProperty("glibc") GLIBC
    }

    @Required
    @JsonPropertyDescription("Language preset: c, cpp, go, rust, or custom (your image and script).")
    private Name name;

    @JsonPropertyDescription("C only: libc to link statically, musl (default: small, no NSS) or glibc.")
    private Libc libc;

    @Size(max = 64)
    @JsonPropertyDescription("Extra compiler flags appended to the preset's (cflags for C/C++, gcflags for Go, rustc flags for Rust).")
    private List<String> flags = new ArrayList<>();

    @Size(max = 64)
    @JsonPropertyDescription("Extra environment for the compile step.")
    private List<EnvVar> env = new ArrayList<>();

    @Pattern("^[A-Za-z0-9._-]{1,128}$")
    @JsonPropertyDescription("File name of the produced binary (default: app).")
    private String binaryName;

    @Size(max = 1024)
    @JsonPropertyDescription("Go only: the main package to build, relative to the context directory (default: .).")
    private String goPackage;

    @JsonPropertyDescription("Custom toolchain: an image and a script that writes the binary to $OUT.")
    private Custom custom;

    public Name getName() { return name; }
    public void setName(Name name) { this.name = name; }
    public Libc getLibc() { return libc; }
    public void setLibc(Libc libc) { this.libc = libc; }
    public List<String> getFlags() { return flags; }
    public void setFlags(List<String> flags) { this.flags = flags; }
    public List<EnvVar> getEnv() { return env; }
    public void setEnv(List<EnvVar> env) { this.env = env; }
    public String getBinaryName() { return binaryName; }
    public void setBinaryName(String binaryName) { this.binaryName = binaryName; }
    public String getGoPackage() { return goPackage; }
    public void setGoPackage(String goPackage) { this.goPackage = goPackage; }
    public Custom getCustom() { return custom; }
    public void setCustom(Custom custom) { this.custom = custom; }

    public static class Custom {
        @Required
        @Size(min = 1, max = 512)
        @JsonPropertyDescription("Toolchain image; must run as a non-root user.")
        private String image;

        @Required
        @Size(min = 1, max = 65536)
        @JsonPropertyDescription("Shell script run with sh -c in a writable copy of the sources (the context directory;"
                + " $SRC is the fetched tree); must write the binary to $OUT.")
        private String script;

        public String getImage() { return image; }
        public void setImage(String image) { this.image = image; }
        public String getScript() { return script; }
        public void setScript(String script) { this.script = script; }
    }
}
