package dev.minimalimage.image.closure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.elf.BundleHints;
import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;

/**
 * The libraries an ELF file declares it may dlopen(), from systemd's FDO dlopen metadata (https://systemd.io/ELF_DLOPEN_METADATA/):
 * a .note.dlopen note of owner "FDO", type 0x407c0c0a, holding a JSON array like
 * {@code [{"feature":"idn","priority":"recommended","soname":["libidn2.so.0","libidn.so.12"]}]}; the sonames of an
 * entry are alternatives. Priority is "required", "recommended" (the default) or "suggested".
 */
final class DlopenNotes {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dependency: any of {@code sonames}. */
    record Entry(List<String> sonames, String priority) {
        boolean required() {
            return "required".equals(priority);
        }
    }

    private DlopenNotes() {
    }

    static List<Entry> of(Path file) throws IOException, ElfFormatException {
        BundleHints hints = ElfLinkAnalyzer.bundleHints(file);
        List<Entry> entries = new ArrayList<>();
        if (hints != null) {
            for (String json : hints.dlopenMetadata()) {
                entries.addAll(parse(json));
            }
        }
        return entries;
    }

    /** Entries of one note; a malformed note or entry is skipped (notes are hints, never a reason to fail). */
    static List<Entry> parse(String note) {
        List<Entry> entries = new ArrayList<>();
        JsonNode array;
        try {
            // the note's bytes were read as ISO-8859-1; JSON is UTF-8
            array = JSON.readTree(new String(note.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return entries;
        }
        if (array == null || !array.isArray()) {
            return entries;
        }
        for (JsonNode element : array) {
            JsonNode sonames = element.path("soname");
            List<String> names = new ArrayList<>();
            for (JsonNode name : sonames.isArray() ? sonames : JSON.createArrayNode()) {
                if (name.isTextual() && !name.asText().isBlank()) {
                    names.add(name.asText());
                }
            }
            if (!names.isEmpty()) {
                entries.add(new Entry(List.copyOf(names), element.path("priority").asText("recommended")));
            }
        }
        return entries;
    }
}
