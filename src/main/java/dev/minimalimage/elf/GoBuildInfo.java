package dev.minimalimage.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Go linker recorded in {@code .go.buildinfo}: the Go version, the main package and module, every
 * dependency module (with its replacement) and the build settings. Read from the bytes, never by running
 * {@code go version -m}. Only the Go 1.18+ layout (strings inline after the 32-byte header, flags bit 2) is
 * decoded; the older layout keeps pointers into the data segment and is reported as not readable.
 */
public record GoBuildInfo(String goVersion, String mainPackage, Module mainModule, List<Module> dependencies,
        Map<String, String> settings) {

    static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER = 32;
    private static final int FLAG_INLINE_STRINGS = 2;
    /** Both ends of the module info carry a 16-byte sentinel (runtime/debug's modinfo framing). */
    private static final int SENTINEL = 16;
    /** Go aligns the buildinfo blob to 16 bytes, so a search without section headers only looks there. */
    private static final int ALIGN = 16;

    /** One module line: path, version, go.sum hash (may be empty), and what a {@code =>} line replaced it with. */
    public record Module(String path, String version, String sum, Module replacement) {
        /** The module that was actually compiled in: the replacement when there is one. */
        public Module effective() {
            return replacement == null ? this : replacement;
        }
    }

    public GoBuildInfo {
        dependencies = List.copyOf(dependencies);
        settings = Map.copyOf(settings);
    }

    /**
     * Empty when the binary is no Go program (no buildinfo magic). Throws for a Go binary whose buildinfo uses
     * the pre-1.18 pointer layout or is malformed, so that "not Go" and "Go, but unreadable" stay distinct.
     */
    public static Optional<GoBuildInfo> read(ElfSections elf) throws ElfFormatException {
        Optional<byte[]> section = elf.section(".go.buildinfo");
        if (section.isPresent()) {
            return Optional.of(parse(section.get(), 0));
        }
        byte[] content = elf.content();
        for (int at = 0; at + HEADER <= content.length; at += ALIGN) {
            if (startsWithMagic(content, at)) {
                return Optional.of(parse(content, at));
            }
        }
        return Optional.empty();
    }

    static GoBuildInfo parse(byte[] data, int start) throws ElfFormatException {
        if (data.length - start < HEADER || !startsWithMagic(data, start)) {
            throw new ElfFormatException(".go.buildinfo does not start with the Go buildinfo magic");
        }
        int flags = data[start + 15] & 0xff;
        if ((flags & FLAG_INLINE_STRINGS) == 0) {
            throw new ElfFormatException(".go.buildinfo uses the pointer layout of Go before 1.18, which this "
                    + "reader does not decode; rebuild with Go 1.18 or newer for an SBOM of its modules");
        }
        int[] cursor = {start + HEADER};
        String version = varintString(data, cursor, "Go version");
        String modinfo = varintString(data, cursor, "module info");
        return parseModinfo(version, stripSentinels(modinfo));
    }

    private static boolean startsWithMagic(byte[] data, int at) {
        if (at + MAGIC.length > data.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (data[at + i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Go's framing check: a real module info is at least 33 bytes and has '\n' just before the end sentinel. */
    private static String stripSentinels(String modinfo) {
        if (modinfo.length() >= 2 * SENTINEL + 1 && modinfo.charAt(modinfo.length() - SENTINEL - 1) == '\n') {
            return modinfo.substring(SENTINEL, modinfo.length() - SENTINEL);
        }
        return ""; // built without module support (GOPATH mode): no modules to report
    }

    private static String varintString(byte[] data, int[] cursor, String what) throws ElfFormatException {
        long length = 0;
        int shift = 0;
        while (true) {
            if (cursor[0] >= data.length || shift > 28) {
                throw new ElfFormatException(".go.buildinfo: the length of the " + what + " is truncated or too big");
            }
            int b = data[cursor[0]++] & 0xff;
            length |= (long) (b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length > data.length - cursor[0]) {
            throw new ElfFormatException(".go.buildinfo: the " + what + " (" + length + " bytes) runs past the end");
        }
        String value = new String(data, cursor[0], (int) length, StandardCharsets.UTF_8);
        cursor[0] += (int) length;
        return value;
    }

    static GoBuildInfo parseModinfo(String goVersion, String modinfo) throws ElfFormatException {
        String mainPackage = "";
        Module main = null;
        List<Module> deps = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : modinfo.split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "path" -> mainPackage = field(f, 1);
                case "mod" -> main = module(f);
                case "dep" -> deps.add(module(f));
                case "=>" -> replaceLast(deps, module(f), line);
                case "build" -> putSetting(settings, line.substring("build\t".length()));
                default -> {
                    // "go" lines and blank lines carry nothing the header did not; unknown keys are future Go's
                }
            }
        }
        return new GoBuildInfo(goVersion, mainPackage, main, deps, settings);
    }

    private static Module module(String[] f) {
        return new Module(field(f, 1), field(f, 2), field(f, 3), null);
    }

    private static String field(String[] f, int index) {
        return index < f.length ? f[index] : "";
    }

    /** A "=>" line replaces the dependency on the line before it. */
    private static void replaceLast(List<Module> deps, Module replacement, String line)
            throws ElfFormatException {
        if (deps.isEmpty()) {
            throw new ElfFormatException(".go.buildinfo: replacement line without a dependency before it: " + line);
        }
        Module last = deps.remove(deps.size() - 1);
        deps.add(new Module(last.path(), last.version(), last.sum(), replacement));
    }

    /** A build line is key=value, where Go quotes (strconv.Quote) a key or value with spaces, tabs, '=' or quotes. */
    private static void putSetting(Map<String, String> settings, String text) throws ElfFormatException {
        int[] cursor = {0};
        String key = text.startsWith("\"") ? GoQuoted.unquote(text, cursor) : upTo(text, '=', cursor);
        if (cursor[0] >= text.length() || text.charAt(cursor[0]) != '=') {
            throw new ElfFormatException(".go.buildinfo: build setting without '=': " + text);
        }
        cursor[0]++;
        String rest = text.substring(cursor[0]);
        settings.put(key, rest.startsWith("\"") ? GoQuoted.unquote(rest, new int[] {0}) : rest);
    }

    private static String upTo(String text, char stop, int[] cursor) {
        int end = text.indexOf(stop);
        cursor[0] = end < 0 ? text.length() : end;
        return text.substring(0, cursor[0]);
    }
}
