package dev.minimalimage.image.closure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.Compilers;

/** Bundle mode's additions to the closure, on real gcc output and the host's Debian root. */
class BundleResolverTest {

    /** A .note.dlopen as systemd writes it: libz required, an absent library only suggested. */
    static final String DLOPEN_NOTE_C = """
            #include <stdio.h>
            #define JSON "[{\\"feature\\":\\"zlib\\",\\"priority\\":\\"required\\",\\"soname\\":[\\"libz.so.1\\"]}," \\
                "{\\"feature\\":\\"extra\\",\\"priority\\":\\"suggested\\",\\"soname\\":[\\"libnowhere.so.3\\"]}]"
            struct note { unsigned namesz, descsz, type; char name[4]; char desc[(sizeof(JSON) + 3) & ~3]; };
            __attribute__((section(".note.dlopen"), used, aligned(4)))
            static const struct note dlopen_note = { 4, sizeof(JSON), 0x407c0c0a, "FDO", JSON };
            int main(void) { puts("notes"); return 0; }
            """;

    @Test
    void dlopenNotesAddTheirLibrariesAndOnlyRequiredOnesMustExist(@TempDir Path dir) throws Exception {
        Path program = Compilers.gcc(dir, "noted", DLOPEN_NOTE_C, "-O2");
        Bundle bundle = BundleResolver.resolve(program, "/app/noted", Path.of("/"), List.of());
        assertThat(bundle.files()).containsKey("/usr/lib/x86_64-linux-gnu/libz.so.1");
        assertThat(bundle.files().keySet()).noneMatch(p -> p.contains("libnowhere"));
        assertThat(bundle.glibcVersion()).matches("2\\.\\d+");
        assertThat(bundle.nameServices()).isFalse();

        assertThatThrownBy(() -> BundleResolver.resolve(program, "/app/noted", Path.of("/"), List.of("libabsent.so.9")))
                .isInstanceOf(MissingLibraryException.class).hasMessageContaining("libabsent.so.9 (an extra library: --extra-library, spec.verify.extraLibraries)")
                .hasMessageContaining("needed by " + program);
    }

    @Test
    void malformedNotesAreSkippedAndAlternativesKept() {
        assertThat(DlopenNotes.parse("not json")).isEmpty();
        assertThat(DlopenNotes.parse("[{\"soname\":[\"liba.so.1\",\"libb.so.2\"]},{\"feature\":\"x\"}]"))
                .containsExactly(new DlopenNotes.Entry(List.of("liba.so.1", "libb.so.2"), "recommended"));
    }

    @Test
    void filesUnderADirectoryLinkLandAtTheLinksTarget() {
        Map<String, Closure.Entry> files = Map.of("/lib", new Closure.Entry("/lib", null, "usr/lib"),
                "/opt", new Closure.Entry("/opt", null, "/srv/opt"));
        assertThat(BundleResolver.throughLinks("/lib/libgreet.so", files)).isEqualTo("/usr/lib/libgreet.so");
        assertThat(BundleResolver.throughLinks("/opt/x/liby.so", files)).isEqualTo("/srv/opt/x/liby.so");
        assertThat(BundleResolver.throughLinks("/usr/lib/libz.so.1", files)).isEqualTo("/usr/lib/libz.so.1");
    }
}
