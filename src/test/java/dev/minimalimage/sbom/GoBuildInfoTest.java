package dev.minimalimage.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfSections;
import dev.minimalimage.elf.GoBuildInfo;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our .go.buildinfo reader against real Go binaries, cross-checked with `go version -m` (an independent reader). */
class GoBuildInfoTest {

    @TempDir
    Path dir;

    @Test
    void readsTheSameModulesVersionsAndSettingsAsGoVersionM() throws Exception {
        Path binary = SbomBinaries.goTwoDeps(dir, "-ldflags=-s -w -X main.tag=a=b");
        GoBuildInfo info = GoBuildInfo.read(ElfSections.read(binary)).orElseThrow();
        GoVersionM expected = GoVersionM.of(binary);

        assertEquals(expected.goVersion, info.goVersion());
        assertEquals("example.com/hello", info.mainPackage());
        assertEquals(expected.lines.get(1), line("mod", info.mainModule()));
        assertEquals(expected.modules(), modules(info));
        assertEquals(expected.settings, info.settings());
        // the fixture's facts, so that a reader and go agreeing on nothing cannot pass
        assertEquals(2, info.dependencies().size());
        assertEquals("v1.2.0", info.dependencies().get(0).version());
        GoBuildInfo.Module shout = info.dependencies().get(1);
        assertEquals("example.com/shout", shout.path());
        assertEquals("example.com/shout-fork", shout.replacement().path());
        assertEquals("v0.3.2", shout.effective().version());
        assertEquals("-s -w -X main.tag=a=b", info.settings().get("-ldflags"));
        assertEquals("0", info.settings().get("CGO_ENABLED"));
    }

    @Test
    void aCProgramHasNoGoBuildInfo() throws Exception {
        Path c = Compilers.muslGcc(dir, "c-hello", "int main(void){return 0;}\n", "-static");
        assertTrue(GoBuildInfo.read(ElfSections.read(c)).isEmpty());
    }

    @Test
    void findsTheBlobByItsMagicWhenSectionHeadersAreGone() throws Exception {
        Path binary = SbomBinaries.goTwoDeps(dir);
        Path noSections = dir.resolve("no-sections");
        byte[] bytes = Files.readAllBytes(binary);
        // e_shoff = 0, e_shnum = 0: what sstrip does; the loader never needed them
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putLong(0x28, 0).putShort(0x3c, (short) 0).putShort(0x3e, (short) 0);
        Files.write(noSections, bytes);
        GoBuildInfo info = GoBuildInfo.read(ElfSections.read(noSections)).orElseThrow();
        assertEquals(GoBuildInfo.read(ElfSections.read(binary)).orElseThrow(), info);
    }

    @Test
    void thePre118PointerLayoutIsRefusedByName() throws Exception {
        Path binary = SbomBinaries.goTwoDeps(dir);
        byte[] bytes = Files.readAllBytes(binary);
        int at = indexOf(bytes, "\u00ff Go buildinf:".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        bytes[at + 15] = 0; // flags: pointer layout, little endian
        Path old = dir.resolve("old-layout");
        Files.write(old, bytes);
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> GoBuildInfo.read(ElfSections.read(old)));
        assertTrue(e.getMessage().contains("before 1.18"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("magic not found");
    }

    private static List<String> modules(GoBuildInfo info) {
        List<String> lines = new ArrayList<>();
        for (GoBuildInfo.Module m : info.dependencies()) {
            lines.add(line("dep", m));
            if (m.replacement() != null) {
                lines.add(line("=>", m.replacement()));
            }
        }
        return lines;
    }

    private static String line(String kind, GoBuildInfo.Module m) {
        return String.join("\t", kind, m.path(), m.version(), m.sum()).strip();
    }

    /** `go version -m` output, split the way it prints it (tab-separated, one line per entry). */
    private record GoVersionM(String goVersion, List<String> lines, Map<String, String> settings) {

        static GoVersionM of(Path binary) {
            String out = Processes.run(Compilers.TIMEOUT, List.of("go", "version", "-m", binary.toString()))
                    .requireSuccess("go version -m").stdout();
            List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            String goVersion = lines.get(0).substring(lines.get(0).indexOf(": ") + 2);
            Map<String, String> settings = new LinkedHashMap<>();
            lines.stream().filter(l -> l.startsWith("build\t")).map(l -> l.substring(6)).forEach(s -> {
                String key = s.substring(0, s.indexOf('='));
                String value = s.substring(s.indexOf('=') + 1);
                settings.put(key, value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
            });
            return new GoVersionM(goVersion, lines.subList(1, lines.size()), settings);
        }

        List<String> modules() {
            return lines.stream().filter(l -> l.startsWith("dep\t") || l.startsWith("=>\t")).toList();
        }
    }
}
