package dev.minimalimage.elf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * cargo-auditable's {@code .dep-v0} section: zlib-compressed JSON
 * {@code {"packages":[{"name","version","source","kind","dependencies":[indexes],"root":bool}]}} listing exactly
 * the crates compiled into the binary.
 */
public final class DepV0Section {

    public static final String SECTION = ".dep-v0";
    /** cargo-auditable itself refuses more than 8 MiB of JSON; so do we, against zip bombs. */
    static final int MAX_JSON = 8 << 20;

    /** One package entry; {@code source} is "crates.io", "git", "local" or "registry" in format v0. */
    public record Package(String name, String version, String source, String kind, boolean root,
            List<Integer> dependencies) {
    }

    private DepV0Section() {
    }

    public static Optional<List<Package>> read(ElfSections elf) throws ElfFormatException {
        Optional<byte[]> section = elf.section(SECTION);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parse(inflate(section.get())));
    }

    private static byte[] inflate(byte[] compressed) throws ElfFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new ElfFormatException(SECTION + " is truncated: the zlib stream ends early");
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_JSON) {
                    throw new ElfFormatException(SECTION + " inflates to more than " + MAX_JSON + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new ElfFormatException(SECTION + " is not zlib data: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static List<Package> parse(byte[] json) throws ElfFormatException {
        JsonNode packages;
        try {
            packages = new ObjectMapper().readTree(json).path("packages");
        } catch (IOException e) {
            throw new ElfFormatException(SECTION + " is not JSON: " + e.getMessage());
        }
        if (!packages.isArray()) {
            throw new ElfFormatException(SECTION + " has no \"packages\" array");
        }
        List<Package> result = new ArrayList<>();
        for (JsonNode p : packages) {
            if (!p.path("name").isTextual() || !p.path("version").isTextual()) {
                throw new ElfFormatException(SECTION + ": a package without name or version: " + p);
            }
            List<Integer> deps = new ArrayList<>();
            p.path("dependencies").forEach(d -> deps.add(d.asInt()));
            result.add(new Package(p.get("name").asText(), p.get("version").asText(),
                    p.path("source").asText("crates.io"), p.path("kind").asText("runtime"),
                    p.path("root").asBoolean(false), List.copyOf(deps)));
        }
        return List.copyOf(result);
    }
}
