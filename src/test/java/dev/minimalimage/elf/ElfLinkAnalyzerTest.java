package dev.minimalimage.elf;

import static dev.minimalimage.testsupport.Compilers.gcc;
import static dev.minimalimage.testsupport.Compilers.go;
import static dev.minimalimage.testsupport.Compilers.gxx;
import static dev.minimalimage.testsupport.Compilers.muslGcc;
import static dev.minimalimage.testsupport.Compilers.rustc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.minimalimage.testsupport.Compilers;

/**
 * Each linking trap, built once with the real toolchain, against the verdict, libc, DT_NEEDED and hazards it
 * must get. Synthetic headers cover classes, byte orders and machines no local compiler emits.
 */
@Tag("e2e")
class ElfLinkAnalyzerTest {

    static final String HELLO_C = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
    static final String GETADDRINFO_C = """
            #include <netdb.h>
            #include <stdio.h>
            #include <string.h>
            int main(int argc, char **argv) {
                struct addrinfo hints, *result;
                memset(&hints, 0, sizeof hints);
                printf("%d\\n", getaddrinfo(argc > 1 ? argv[1] : "localhost", 0, &hints, &result));
                return 0;
            }
            """;
    static final String DLOPEN_C = """
            #include <dlfcn.h>
            #include <stdio.h>
            int main(void) { printf("%p\\n", dlopen("libm.so.6", RTLD_NOW)); return 0; }
            """;
    static final String ICONV_C = """
            #include <iconv.h>
            #include <stdio.h>
            int main(void) { printf("%p\\n", (void *) iconv_open("UTF-8", "ISO-8859-1")); return 0; }
            """;
    static final String HELLO_CPP = "#include <iostream>\nint main() { std::cout << \"hello\" << std::endl; }\n";
    static final String HELLO_GO = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n";
    static final String NET_GO = """
            package main

            import (
            \t"fmt"
            \t"net"
            )

            func main() { fmt.Println(net.LookupHost("localhost")) }
            """;
    static final String HELLO_RS = "fn main() { println!(\"hello\"); }\n";
    static final String NET_RS = """
            use std::net::ToSocketAddrs;
            fn main() { println!("{:?}", "localhost:80".to_socket_addrs().map(|a| a.count())); }
            """;

    @TempDir
    static Path dir;
    static final Map<String, Path> BINARIES = new HashMap<>();

    @BeforeAll
    static void buildTraps() {
        List.of("gcc", "musl-gcc", "g++", "go").forEach(Compilers::requireTool);
        BINARIES.put("glibc-static", gcc(dir, "glibc-static", HELLO_C, "-static"));
        BINARIES.put("glibc-static-s", gcc(dir, "glibc-static-s", HELLO_C, "-static", "-s"));
        BINARIES.put("gai-static", gcc(dir, "gai-static", GETADDRINFO_C, "-static"));
        BINARIES.put("gai-static-s", gcc(dir, "gai-static-s", GETADDRINFO_C, "-static", "-s"));
        BINARIES.put("dlopen-static-s", gcc(dir, "dlopen-static-s", DLOPEN_C, "-static", "-s"));
        BINARIES.put("iconv-static", gcc(dir, "iconv-static", ICONV_C, "-static"));
        BINARIES.put("glibc-static-pie", gcc(dir, "glibc-static-pie", HELLO_C, "-static-pie"));
        BINARIES.put("glibc-default", gcc(dir, "glibc-default", HELLO_C));
        BINARIES.put("shared-lib", gcc(dir, "libhello.so", HELLO_C, "-shared", "-fPIC"));
        BINARIES.put("bare-shared-lib", gcc(dir, "libbare.so", "int inc(int x) { return x + 1; }\n", "-shared",
                "-fPIC", "-nostdlib"));
        BINARIES.put("musl-static", muslGcc(dir, "musl-static", HELLO_C, "-static", "-Os", "-s",
                "-Wl,--gc-sections"));
        BINARIES.put("musl-static-pie", muslGcc(dir, "musl-static-pie", HELLO_C, "-static-pie"));
        BINARIES.put("gxx-static", gxx(dir, "gxx-static", HELLO_CPP, "-static"));
        BINARIES.put("gxx-static-runtime", gxx(dir, "gxx-static-runtime", HELLO_CPP, "-static-libstdc++",
                "-static-libgcc"));
        BINARIES.put("go-nocgo", go(dir, "go-nocgo", HELLO_GO, false, "-ldflags=-s -w"));
        BINARIES.put("go-cgo-net", go(dir, "go-cgo-net", NET_GO, true));
        if (Compilers.hasRustc()) {
            BINARIES.put("rust-static", rustc(dir, "rust-static", HELLO_RS, "-C", "target-feature=+crt-static"));
            BINARIES.put("rust-static-net", rustc(dir, "rust-static-net", NET_RS, "-C", "target-feature=+crt-static"));
        }
    }

    static LinkReport analyze(String binary) throws Exception {
        return ElfLinkAnalyzer.analyze(BINARIES.get(binary));
    }

    @Test
    void glibcStaticHelloIsStaticWithoutHazards() throws Exception {
        LinkReport r = analyze("glibc-static");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.runnableOnScratch()).isTrue();
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r).extracting(LinkReport::elfClass, LinkReport::byteOrder, LinkReport::machine, LinkReport::type)
                .containsExactly("ELF64", "little", "x86-64", "EXEC");
        assertThat(r.interpreter()).isNull();
        assertThat(r.needed()).isEmpty();
        assertThat(r.hazards()).isEmpty();
        assertThat(r.fileSize()).isEqualTo(Files.size(BINARIES.get("glibc-static")));
    }

    /** The stripped plain hello proves the string markers are absent unless the feature is linked. */
    @Test
    void strippedGlibcStaticHelloHasNoHazards() throws Exception {
        LinkReport r = analyze("glibc-static-s");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r.hazards()).isEmpty();
    }

    @Test
    void glibcStaticGetaddrinfoHasNssHazardFromSymbols() throws Exception {
        LinkReport r = analyze("gai-static");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(kinds(r)).containsExactly("nss");
        assertThat(r.hazards().get(0).evidence()).contains("symbol getaddrinfo");
    }

    @Test
    void strippedGlibcStaticGetaddrinfoHasNssHazardFromStrings() throws Exception {
        LinkReport r = analyze("gai-static-s");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(kinds(r)).containsExactly("nss");
        assertThat(r.hazards().get(0).evidence()).contains("string \"libnss_\"");
    }

    @Test
    void strippedGlibcStaticDlopenHasDlopenHazardFromLibraryName() throws Exception {
        LinkReport r = analyze("dlopen-static-s");
        assertThat(kinds(r)).containsExactly("dlopen");
        assertThat(r.hazards().get(0).evidence()).containsExactly("library name \"libm.so.6\"");
    }

    @Test
    void glibcStaticIconvHasIconvHazard() throws Exception {
        LinkReport r = analyze("iconv-static");
        assertThat(kinds(r)).containsExactly("iconv");
        assertThat(r.hazards().get(0).evidence()).containsExactly("symbol iconv_open");
    }

    @Test
    void glibcStaticPieIsStaticPie() throws Exception {
        LinkReport r = analyze("glibc-static-pie");
        assertThat(r.verdict()).isEqualTo(Verdict.StaticPie);
        assertThat(r.runnableOnScratch()).isTrue();
        assertThat(r.type()).isEqualTo("DYN");
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r.needed()).isEmpty();
        assertThat(r.hazards()).isEmpty();
        assertThat(r.explanation()).contains("DF_1_PIE");
    }

    @Test
    void glibcDefaultIsDynamic() throws Exception {
        LinkReport r = analyze("glibc-default");
        assertThat(r.verdict()).isEqualTo(Verdict.Dynamic);
        assertThat(r.runnableOnScratch()).isFalse();
        assertThat(r.interpreter()).isEqualTo("/lib64/ld-linux-x86-64.so.2");
        assertThat(r.needed()).containsExactly("libc.so.6");
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r.hazards()).isEmpty();
    }

    @Test
    void muslStaticStrippedIsStaticMusl() throws Exception {
        LinkReport r = analyze("musl-static");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.libc()).isEqualTo(Libc.musl);
        assertThat(r.needed()).isEmpty();
        assertThat(r.hazards()).isEmpty();
    }

    /** Debian's musl-gcc wrapper turns -static-pie into a dynamically linked PIE. */
    @Test
    void debianMuslStaticPieIsActuallyDynamic() throws Exception {
        LinkReport r = analyze("musl-static-pie");
        assertThat(r.verdict()).isEqualTo(Verdict.Dynamic);
        assertThat(r.interpreter()).contains("ld-musl");
        assertThat(r.needed()).containsExactly("libc.so");
        assertThat(r.libc()).isEqualTo(Libc.musl);
    }

    /** libstdc++ pulls iconv_open into every static C++ program (for named locales): reported, not hidden. */
    @Test
    void gxxStaticIsStaticGlibc() throws Exception {
        LinkReport r = analyze("gxx-static");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r.needed()).isEmpty();
        assertThat(kinds(r)).containsExactly("iconv");
    }

    @Test
    void gxxWithStaticRuntimeStillNeedsLibc() throws Exception {
        LinkReport r = analyze("gxx-static-runtime");
        assertThat(r.verdict()).isEqualTo(Verdict.Dynamic);
        assertThat(r.needed()).contains("libc.so.6").noneMatch(n -> n.startsWith("libstdc++"));
        assertThat(r.libc()).isEqualTo(Libc.glibc);
    }

    @Test
    void goWithoutCgoIsStaticWithoutLibc() throws Exception {
        LinkReport r = analyze("go-nocgo");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r.libc()).isEqualTo(Libc.none);
        assertThat(r.needed()).isEmpty();
        assertThat(r.hazards()).isEmpty();
    }

    @Test
    void goWithCgoAndNetIsDynamic() throws Exception {
        LinkReport r = analyze("go-cgo-net");
        assertThat(r.verdict()).isEqualTo(Verdict.Dynamic);
        assertThat(r.needed()).contains("libc.so.6");
        assertThat(r.libc()).isEqualTo(Libc.glibc);
    }

    @Test
    void rustCrtStaticIsStaticPieGlibc() throws Exception {
        assumeTrue(Compilers.hasRustc(), "rustc not installed");
        LinkReport r = analyze("rust-static");
        assertThat(r.verdict()).isEqualTo(Verdict.StaticPie);
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r.hazards()).isEmpty();
    }

    /** Rust's ToSocketAddrs calls getaddrinfo; with +crt-static the linker does not even warn. */
    @Test
    void rustCrtStaticWithToSocketAddrsHasNssHazard() throws Exception {
        assumeTrue(Compilers.hasRustc(), "rustc not installed");
        LinkReport r = analyze("rust-static-net");
        assertThat(r.verdict()).isEqualTo(Verdict.StaticPie);
        assertThat(kinds(r)).containsExactly("nss");
    }

    @Test
    void sharedLibraryIsNotRunnable() throws Exception {
        LinkReport r = analyze("shared-lib");
        assertThat(r.verdict()).isEqualTo(Verdict.NotRunnable);
        assertThat(r.needed()).containsExactly("libc.so.6");
        assertThat(r.libc()).isEqualTo(Libc.glibc);
        assertThat(r.explanation()).contains("no PT_INTERP", "no program interpreter");
    }

    /** No DT_NEEDED and no PT_INTERP looks like static-pie, but entry point 0 gives a library away. */
    @Test
    void sharedLibraryWithoutDependenciesIsNotRunnable() throws Exception {
        LinkReport r = analyze("bare-shared-lib");
        assertThat(r.verdict()).isEqualTo(Verdict.NotRunnable);
        assertThat(r.needed()).isEmpty();
        assertThat(r.explanation()).contains("entry point 0");
    }

    @Test
    void shellScriptIsNotElf() throws Exception {
        Path script = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho hello\n");
        LinkReport r = ElfLinkAnalyzer.analyze(script);
        assertThat(r.verdict()).isEqualTo(Verdict.NotElf);
        assertThat(r.explanation()).contains("a script (#!/bin/sh)");
        assertThat(r).extracting(LinkReport::elfClass, LinkReport::machine, LinkReport::type).containsOnlyNulls();
    }

    @Test
    void emptyFileIsNotElf() throws Exception {
        LinkReport r = ElfLinkAnalyzer.analyze(Files.createFile(dir.resolve("empty")));
        assertThat(r.verdict()).isEqualTo(Verdict.NotElf);
        assertThat(r.explanation()).contains("empty");
        assertThat(r.fileSize()).isZero();
    }

    @Test
    void missingFileIsAnIoError() {
        assertThatThrownBy(() -> ElfLinkAnalyzer.analyze(dir.resolve("does-not-exist")))
                .isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> ElfLinkAnalyzer.analyze(dir)).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void truncatedBelowTheMagicIsNotElf(int length) throws Exception {
        LinkReport r = ElfLinkAnalyzer.analyze(truncatedCopy("glibc-default", length));
        assertThat(r.verdict()).isEqualTo(Verdict.NotElf);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 15, 40, 63, 64, 100, 400, 4096, 8000, -1})
    void truncatedCopyFailsWithClearMessage(int length) throws Exception {
        Path copy = truncatedCopy("glibc-default", length);
        assertThatThrownBy(() -> ElfLinkAnalyzer.analyze(copy)).isInstanceOf(ElfFormatException.class)
                .hasMessageStartingWith("truncated ELF: ")
                .hasMessageMatching(".*(shorter than|ends past end of file \\(" + Files.size(copy) + " bytes\\)).*");
    }

    @Test
    void truncatedProgramHeaderTableNamesTheTable() throws Exception {
        Path copy = truncatedCopy("glibc-default", 400);
        assertThatThrownBy(() -> ElfLinkAnalyzer.analyze(copy)).isInstanceOf(ElfFormatException.class)
                .hasMessageMatching("truncated ELF: program header table \\(offset 64, \\d+ x 56 bytes\\) ends past "
                        + "end of file \\(400 bytes\\)");
    }

    @Test
    void elf32BigEndianMipsStaticExecutable() throws Exception {
        SyntheticElf elf = new SyntheticElf(false, ByteOrder.BIG_ENDIAN, SyntheticElf.EM_MIPS);
        LinkReport r = ElfLinkAnalyzer.analyze(ByteBuffer.wrap(elf.build()));
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
        assertThat(r).extracting(LinkReport::elfClass, LinkReport::byteOrder, LinkReport::machine, LinkReport::type)
                .containsExactly("ELF32", "big", "MIPS", "EXEC");
        assertThat(r.libc()).isEqualTo(Libc.unknown);
    }

    @Test
    void elf64BigEndianS390xDynamicExecutable() throws Exception {
        SyntheticElf elf = new SyntheticElf(true, ByteOrder.BIG_ENDIAN, SyntheticElf.EM_S390)
                .interpreter("/lib/ld64.so.1").needed("libm.so.6", "libc.so.6");
        LinkReport r = ElfLinkAnalyzer.analyze(ByteBuffer.wrap(elf.build()));
        assertThat(r.verdict()).isEqualTo(Verdict.Dynamic);
        assertThat(r).extracting(LinkReport::elfClass, LinkReport::byteOrder, LinkReport::machine)
                .containsExactly("ELF64", "big", "s390");
        assertThat(r.interpreter()).isEqualTo("/lib/ld64.so.1");
        assertThat(r.needed()).containsExactly("libm.so.6", "libc.so.6");
        assertThat(r.libc()).isEqualTo(Libc.glibc);
    }

    @Test
    void elf32BigEndianPowerPcStaticPie() throws Exception {
        SyntheticElf elf = new SyntheticElf(false, ByteOrder.BIG_ENDIAN, 20).type(3).dynamicSection();
        LinkReport r = ElfLinkAnalyzer.analyze(ByteBuffer.wrap(elf.build()));
        assertThat(r.verdict()).isEqualTo(Verdict.StaticPie);
        assertThat(r.machine()).isEqualTo("PowerPC");
        assertThat(r.explanation()).contains("DF_1_PIE");
    }

    /** DT_STRTAB outside every PT_LOAD: the names come from the .dynstr section header instead. */
    @Test
    void neededNamesFallBackToDynstrSection() throws Exception {
        SyntheticElf elf = new SyntheticElf(true, ByteOrder.BIG_ENDIAN, SyntheticElf.EM_PPC64).type(3)
                .needed("libc.so.6").strtabOutsideLoad().sectionHeaders();
        LinkReport r = ElfLinkAnalyzer.analyze(ByteBuffer.wrap(elf.build()));
        assertThat(r.verdict()).isEqualTo(Verdict.NotRunnable);
        assertThat(r.machine()).isEqualTo("PowerPC64");
        assertThat(r.needed()).containsExactly("libc.so.6");
    }

    @Test
    void unknownMachineIsNamedByNumber() throws Exception {
        LinkReport r = ElfLinkAnalyzer.analyze(ByteBuffer.wrap(SyntheticElf.elf64Little(0x1234).build()));
        assertThat(r.machine()).isEqualTo("unknown(0x1234)");
        assertThat(r.verdict()).isEqualTo(Verdict.Static);
    }

    @Test
    void relocatableObjectIsNotRunnable() throws Exception {
        LinkReport r = ElfLinkAnalyzer.analyze(ByteBuffer.wrap(SyntheticElf.elf64Little(62).type(1).build()));
        assertThat(r.verdict()).isEqualTo(Verdict.NotRunnable);
        assertThat(r.type()).isEqualTo("REL");
        assertThat(r.explanation()).contains("relocatable object");
    }

    static List<String> kinds(LinkReport report) {
        return report.hazards().stream().map(Hazard::kind).toList();
    }

    /** A copy cut to {@code length} bytes; -1 means one byte short of the original. */
    private static Path truncatedCopy(String binary, int length) throws IOException {
        byte[] original = Files.readAllBytes(BINARIES.get(binary));
        int cut = length < 0 ? original.length - 1 : length;
        return Files.write(dir.resolve(binary + "-cut-" + cut), Arrays.copyOf(original, cut));
    }
}
