package dev.minimalimage.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minimalimage.testsupport.Compilers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our Jackson writer against cyclonedx-core-java's (the builder's writer before issue 19): the same bytes for the
 * same input, so an image's SBOM digest did not change when the library left the builder. Each document is also
 * read back by cyclonedx-core-java's parser and validated against the CycloneDX 1.6 schema.
 */
class CycloneDxSbomBytesTest {

    private static final SbomInputs THIS_MACHINE = new SbomInputs(Optional.of(Path.of("/")), Optional.empty());

    @TempDir
    Path dir;

    @Test
    void realBinariesFromAGitSource() throws Exception {
        Path c = Compilers.gcc(dir, "hello", "int main(void){return 0;}\n", "-static");
        Path cxx = Compilers.gxx(dir, "hellocxx", "#include <iostream>\nint main(){std::cout << \"hi\\n\";}\n", "-static");
        Path go = SbomBinaries.goTwoDeps(dir.resolve("go"), "-ldflags=-s -w");
        List<BinaryInventory> binaries = List.of(BinaryReader.read(c, "/app/hello", THIS_MACHINE),
                BinaryReader.read(cxx, "/app/hellocxx", THIS_MACHINE), BinaryReader.read(go, "/app/go", THIS_MACHINE));
        assertSameBytes("registry.example:5000/team/hello:1", SbomSource.git("https://example.com/hello.git",
                "0123456789abcdef0123456789abcdef01234567"), binaries, List.of());
    }

    @Test
    void aBinaryWithBundledLibrariesAndOtherFiles() throws Exception {
        Path binary = Compilers.gcc(dir, "dyn", "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n");
        LinkedComponent libc6 = new LinkedComponent("libc6", "2.36-9+deb12u9", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9"
                + "?arch=amd64", "dpkg", Map.of());
        assertSameBytes("dyn", SbomSource.UNKNOWN, List.of(BinaryReader.read(binary, "/app/dyn", THIS_MACHINE)),
                List.of(new ShippedFile("/lib/x86_64-linux-gnu/libc.so.6", "ef".repeat(32), libc6),
                        new ShippedFile("/lib64/ld-linux-x86-64.so.2", "0a".repeat(32), libc6),
                        new ShippedFile("/etc/ssl/certs/ca-certificates.crt", "01".repeat(32), null)));
    }

    @Test
    void anInlineSourceAndNothingShipped() throws Exception {
        assertSameBytes("inline", SbomSource.inline(Map.of("main.c", "11".repeat(32))), List.of(), List.of());
        assertSameBytes("nothing", SbomSource.UNKNOWN, List.of(), List.of());
    }

    @Test
    void duplicatesUnknownVersionsAndAwkwardStrings() throws Exception {
        LinkedComponent shared = new LinkedComponent("stdlib", "go1.22.1", "pkg:golang/stdlib@go1.22.1", "go.buildinfo",
                Map.of("b", "2", "a", "1"));
        LinkedComponent unknown = new LinkedComponent("musl", null, null, ".comment",
                Map.of("minimalimage:version", " unknown:\t\"no\" dpkg \n database é \u2028 </script> \\ ",
                        "minimalimage:empty", ""));
        BinaryInventory first = new BinaryInventory("/app/a", "aa".repeat(32), List.of(shared, unknown, shared),
                Map.of("minimalimage:link", "static", "minimalimage:go:build:-ldflags", "-X 'main.v=1  2'"));
        BinaryInventory again = new BinaryInventory("/app/a", "ab".repeat(32), List.of(shared), Map.of());
        BinaryInventory bare = new BinaryInventory("/app/b", "bb".repeat(32), List.of(), Map.of());
        assertSameBytes("  spaced name\t", SbomSource.git("git@github.com:owner/repo.git", "abc"),
                List.of(first, bare, again), List.of(new ShippedFile("/app/b", "cc".repeat(32), null)));
        assertSameBytes("no commit", new SbomSource("ssh://git@example.com:2222/repo", null, Map.of()), List.of(bare),
                List.of());
    }

    /** The library trimmed and respaced the strings of its model, not those it wrote itself (refs, hashes). */
    @Test
    void whitespaceInEveryField() throws Exception {
        LinkedComponent withPurl = new LinkedComponent(spaced("name"), spaced("1.0"), spaced("pkg:generic/x@1"),
                spaced("evidence"), Map.of(spaced("key"), spaced("value")));
        LinkedComponent withoutPurl = new LinkedComponent(spaced("other"), spaced("2"), null, spaced("dpkg"), Map.of());
        BinaryInventory binary = new BinaryInventory(spaced("/app/x"), "5a".repeat(32), List.of(withPurl, withoutPurl),
                Map.of(spaced("binary key"), spaced("binary value")));
        assertSameBytes(spaced("image"), new SbomSource("https://example.com/x.git", spaced("commit"),
                Map.of(spaced("main.c"), "5a".repeat(32))), List.of(binary),
                List.of(new ShippedFile(spaced("/lib/y.so"), "5a".repeat(32), withPurl)));
    }

    private static String spaced(String text) {
        return " \t" + text + "\r\n a  \n b\r c\t ";
    }

    private static void assertSameBytes(String image, SbomSource source, List<BinaryInventory> binaries,
            List<ShippedFile> others) throws Exception {
        byte[] ours = CycloneDxSbom.write(image, source, binaries, others).json();
        byte[] library = LibraryCycloneDxSbom.write(image, source, binaries, others);
        assertThat(new String(ours, StandardCharsets.UTF_8)).isEqualTo(new String(library, StandardCharsets.UTF_8));
        assertThat(new JsonParser().validate(ours, LibraryCycloneDxSbom.VERSION)).isEmpty();
    }
}
