package dev.minimalimage.sbom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The [[package]] tables of a Cargo.lock (versions 1 to 4). Cargo writes this file itself in a fixed shape:
 * one {@code key = "string"} per line, arrays on their own lines; only name, version, source and checksum are
 * read. A lock file lists everything resolvable for every target and feature, so it can list more than one
 * binary links; cargo-auditable's .dep-v0 is exact where present.
 */
public final class CargoLock {

    private CargoLock() {
    }

    public static List<Crate> read(Path lockFile) throws IOException {
        return parse(Files.readString(lockFile, StandardCharsets.UTF_8), lockFile.toString());
    }

    static List<Crate> parse(String text, String where) throws IOException {
        List<Crate> crates = new ArrayList<>();
        Map<String, String> current = null;
        int lineNumber = 0;
        for (String raw : text.split("\n")) {
            lineNumber++;
            String line = raw.strip();
            if (line.startsWith("[")) {
                addIfPackage(crates, current, where);
                current = line.equals("[[package]]") ? new HashMap<>() : null;
            } else if (current != null && line.contains("=") && !line.startsWith("#")) {
                String key = line.substring(0, line.indexOf('=')).strip();
                String value = line.substring(line.indexOf('=') + 1).strip();
                if (value.startsWith("\"")) {
                    current.put(key, tomlString(value, where, lineNumber));
                }
            }
        }
        addIfPackage(crates, current, where);
        return List.copyOf(crates);
    }

    private static void addIfPackage(List<Crate> crates, Map<String, String> fields, String where)
            throws IOException {
        if (fields == null) {
            return;
        }
        if (!fields.containsKey("name") || !fields.containsKey("version")) {
            throw new IOException(where + ": a [[package]] without name or version: " + fields);
        }
        crates.add(new Crate(fields.get("name"), fields.get("version"), fields.get("source"),
                fields.get("checksum"), "runtime", false));
    }

    /** A TOML basic string as Cargo writes it: no escapes occur in names, versions, sources or hex checksums. */
    private static String tomlString(String value, String where, int line) throws IOException {
        int end = value.indexOf('"', 1);
        if (end < 0 || value.substring(1, end).contains("\\")) {
            throw new IOException(where + ":" + line + ": cannot read the string " + value);
        }
        return value.substring(1, end);
    }
}
