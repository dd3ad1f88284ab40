package dev.minimalimage.image.closure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Processes;

/** The closure resolver against binaries and libraries gcc builds here, and the host's own JDK. */
class LibraryClosureTest {

    private static final String MAIN = "int f(void); int main(void) { return f(); }\n";

    @TempDir
    Path dir;

    private Path lib(Path where, String name, String soname, String source, String... flags) throws IOException {
        Files.createDirectories(where);
        String[] all = new String[flags.length + 3];
        all[0] = "-shared";
        all[1] = "-fPIC";
        all[2] = "-Wl,-soname," + soname;
        System.arraycopy(flags, 0, all, 3, flags.length);
        return program(where, name, source, all);
    }

    /** Compilers puts flags before the source, so libraries named there must not be dropped as unneeded. */
    private static Path program(Path where, String name, String source, String... flags) {
        String[] all = new String[flags.length + 1];
        all[0] = "-Wl,--no-as-needed";
        System.arraycopy(flags, 0, all, 1, flags.length);
        return Compilers.gcc(where, name, source, all);
    }

    @Test
    void runpathOriginFindsTheLibraryInsideTheInputTreeAndResolvesItsNeedsInTheRoot() throws Exception {
        lib(dir.resolve("app/lib"), "libf.so", "libf.so", "int f(void) { return 0; }\n");
        Path program = program(dir.resolve("app/bin"), "prog", MAIN, "-L" + dir.resolve("app/lib"), "-lf",
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib");

        Closure closure = LibraryClosure.resolve(List.of(program), Path.of("/"));

        assertThat(closure.resolutions()).anySatisfy(r -> {
            assertThat(r.need()).isEqualTo("libf.so");
            assertThat(r.insideInputs()).isTrue();
            assertThat(Path.of(r.path()).normalize()).isEqualTo(dir.resolve("app/lib/libf.so").normalize());
        });
        assertThat(closure.files().keySet()).noneMatch(p -> p.contains("libf.so"));
        assertThat(closure.resolutions()).anyMatch(r -> r.need().equals("libc.so.6") && !r.insideInputs()
                && r.neededBy().endsWith("libf.so")); // the library's own needs are followed
        assertThat(closure.files().keySet()).contains("/lib64") // the interpreter's path, through the host's links
                .anyMatch(p -> p.endsWith("/ld-linux-x86-64.so.2") && !closure.files().get(p).isSymlink())
                .anyMatch(p -> p.endsWith("/libc.so.6"));
    }

    @Test
    void rpathOfTheLoaderIsInheritedButRunpathOnlyServesDirectNeeds() throws Exception {
        // prog (RPATH sys) -> libmid.so -> libleaf.so, both libraries under sys: libleaf is found through prog's RPATH
        Path sys = dir.resolve("root/opt/sys");
        lib(sys, "libleaf.so", "libleaf.so", "int leaf(void) { return 0; }\n");
        lib(sys, "libmid.so", "libmid.so", "int leaf(void); int f(void) { return leaf(); }\n", "-L" + sys, "-lleaf");
        Path rpathProgram = program(dir.resolve("rpath"), "prog", MAIN, "-L" + sys, "-Wl,-rpath-link," + sys, "-lmid",
                "-Wl,--disable-new-dtags,-rpath,/opt/sys");
        Path runpathProgram = program(dir.resolve("runpath"), "prog", MAIN, "-L" + sys, "-Wl,-rpath-link," + sys, "-lmid",
                "-Wl,--enable-new-dtags,-rpath,/opt/sys");
        copySystemLibc(dir.resolve("root"));

        Closure closure = LibraryClosure.resolve(List.of(rpathProgram), dir.resolve("root"));
        assertThat(closure.files()).containsKeys("/opt/sys/libmid.so", "/opt/sys/libleaf.so");

        assertThatThrownBy(() -> LibraryClosure.resolve(List.of(runpathProgram), dir.resolve("root")))
                .isInstanceOf(MissingLibraryException.class)
                .hasMessageContaining("libleaf.so (needed by " + sys.resolve("libmid.so"))
                .hasMessageContaining(dir.resolve("root/usr/lib").toString());
    }

    @Test
    void aTransitiveNeedAndTheSonameLinkChainLandAtTheLoadersPaths() throws Exception {
        Path root = dir.resolve("root");
        Path libdir = root.resolve("usr/lib/x86_64-linux-gnu");
        Path leaf = lib(libdir, "libleaf.so.1.2.3", "libleaf.so.1", "int leaf(void) { return 0; }\n");
        Files.createSymbolicLink(libdir.resolve("libleaf.so.1"), leaf.getFileName());
        Files.createSymbolicLink(libdir.resolve("libleaf.so"), Path.of("libleaf.so.1"));
        Path mid = lib(libdir, "libmid.so.2.0", "libmid.so.2", "int leaf(void); int f(void) { return leaf(); }\n",
                "-L" + libdir, "-lleaf");
        Files.createSymbolicLink(libdir.resolve("libmid.so.2"), mid.getFileName());
        Files.createSymbolicLink(libdir.resolve("libmid.so"), Path.of("libmid.so.2"));
        Path program = program(dir, "prog", MAIN, "-L" + libdir, "-Wl,-rpath-link," + libdir, "-lmid");
        copySystemLibc(root);

        Closure closure = LibraryClosure.resolve(List.of(program), root);

        assertThat(closure.files().get("/usr/lib/x86_64-linux-gnu/libleaf.so.1").linkTarget()).isEqualTo("libleaf.so.1.2.3");
        assertThat(closure.files().get("/usr/lib/x86_64-linux-gnu/libleaf.so.1.2.3").source()).isEqualTo(leaf);
        assertThat(closure.files().get("/usr/lib/x86_64-linux-gnu/libmid.so.2").linkTarget()).isEqualTo("libmid.so.2.0");
        assertThat(closure.files()).containsKey("/usr/lib/x86_64-linux-gnu/libmid.so.2.0")
                .doesNotContainKeys("/usr/lib/x86_64-linux-gnu/libleaf.so", "/usr/lib/x86_64-linux-gnu/libmid.so");
        assertThat(closure.resolutions()).anyMatch(r -> r.need().equals("libleaf.so.1") && r.neededBy().endsWith("libmid.so.2.0"));

        Path stage = dir.resolve("stage");
        closure.copyTo(stage);
        assertThat(Files.readSymbolicLink(stage.resolve("usr/lib/x86_64-linux-gnu/libleaf.so.1"))).isEqualTo(Path.of("libleaf.so.1.2.3"));
        assertThat(Files.mismatch(stage.resolve("usr/lib/x86_64-linux-gnu/libleaf.so.1.2.3"), leaf)).isEqualTo(-1);
    }

    @Test
    void ldSoConfIncludesAreFollowedAndOnlyDirectoriesOutsideTheLoadersDefaultsNeedNaming() throws Exception {
        Path root = dir.resolve("conf-root");
        Path vendor = lib(root.resolve("opt/vendor/lib"), "libvendor.so", "libvendor.so",
                "int f(void) { return 0; }\n");
        Path system = lib(root.resolve("usr/lib/x86_64-linux-gnu"), "libsys.so", "libsys.so",
                "int g(void) { return 0; }\n");
        Files.createDirectories(root.resolve("etc/ld.so.conf.d"));
        // a relative include climbing out of the root: read inside it, and its copy stays inside the stage
        Files.writeString(root.resolve("etc/ld.so.conf"), "# comment\ninclude ld.so.conf.d/*.conf\n"
                + "include ../../../../../../vendor.conf\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/b.conf"), "/usr/lib/x86_64-linux-gnu\n");
        Files.writeString(root.resolve("vendor.conf"), "/opt/vendor/lib/ # trailing slash\n");
        Path program = program(dir, "prog", MAIN, "-L" + vendor.getParent(), "-lvendor", "-L" + system.getParent(),
                "-lsys");
        copySystemLibc(root);

        Closure closure = LibraryClosure.resolve(List.of(program), root);

        assertThat(closure.files()).containsKeys("/opt/vendor/lib/libvendor.so",
                "/usr/lib/x86_64-linux-gnu/libsys.so");
        assertThat(closure.configuredDirectories()).containsExactly("/opt/vendor/lib");
        assertThat(closure.configurationFiles()).containsExactly("/etc/ld.so.conf", "/etc/ld.so.conf.d/b.conf",
                "/vendor.conf");
        Path stage = dir.resolve("a/b/c/stage");
        closure.copyConfigurationTo(stage);
        assertThat(stage.resolve("vendor.conf")).hasSameTextualContentAs(root.resolve("vendor.conf"));
        assertThat(dir.resolve("vendor.conf")).doesNotExist();
    }

    @Test
    void muslsPathFileIsItsSearchPathAndWhatItAddsNeedsNaming() throws Exception {
        Path root = dir.resolve("musl-root");
        Path loader = root.resolve("lib/ld-musl-x86_64.so.1");
        Files.createDirectories(loader.getParent());
        Files.copy(Path.of("/lib/ld-musl-x86_64.so.1").toRealPath(), loader);
        Path addon = root.resolve("opt/addon/lib");
        Files.createDirectories(addon);
        Path library = Compilers.muslGcc(addon, "libaddon.so", "int f(void) { return 0; }\n", "-shared", "-fPIC");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/ld-musl-x86_64.path"), "/lib:/opt/addon/lib\n/usr/lib\n");
        Path program = Compilers.muslGcc(dir.resolve("musl"), "prog", MAIN, "-Wl,--no-as-needed",
                "-L" + library.getParent(), "-laddon");

        Closure closure = LibraryClosure.resolve(List.of(program), root);

        assertThat(closure.files()).containsKeys("/lib/ld-musl-x86_64.so.1", "/opt/addon/lib/libaddon.so");
        assertThat(closure.configuredDirectories()).containsExactly("/opt/addon/lib");
    }

    @Test
    void aMissingLibraryNamesItselfTheObjectAndThePathsSearched() throws Exception {
        Path elsewhere = dir.resolve("elsewhere");
        lib(elsewhere, "libgone.so", "libgone.so.7", "int f(void) { return 0; }\n");
        Path program = program(dir, "prog", MAIN, elsewhere.resolve("libgone.so").toString());
        Path root = dir.resolve("root");
        copySystemLibc(root);

        assertThatThrownBy(() -> LibraryClosure.resolve(List.of(program), root))
                .isInstanceOf(MissingLibraryException.class)
                .hasMessageStartingWith("libgone.so.7 (needed by " + program + ") not found; searched: ")
                .hasMessageContaining(root.resolve("usr/lib/x86_64-linux-gnu").toString())
                .hasMessageContaining(root.resolve("lib64").toString());
    }

    @Test
    void theHostJdksLibjvmNeedsWhatReadelfSays() throws Exception {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");
        String readelf = Processes.run(Duration.ofSeconds(30), List.of("readelf", "-d", libjvm.toString())).stdout();
        Matcher needed = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^]]+)]").matcher(readelf);

        Closure closure = LibraryClosure.resolve(List.of(libjvm), Path.of("/"));

        int count = 0;
        while (needed.find()) {
            String need = needed.group(1);
            count++;
            assertThat(closure.resolutions()).as(need).anyMatch(r -> r.need().equals(need) && !r.insideInputs()
                    && Files.isRegularFile(Path.of(r.path())));
        }
        assertThat(count).isGreaterThanOrEqualTo(3);
        if (readelf.contains("libstdc++")) { // Debian's OpenJDK: libstdc++ brings libgcc_s
            assertThat(closure.files().keySet()).anyMatch(p -> p.endsWith("/libstdc++.so.6"))
                    .anyMatch(p -> p.endsWith("/libgcc_s.so.1"));
        }
        assertThat(closure.files().keySet()).anyMatch(p -> p.endsWith("/libc.so.6"));
    }

    /** A root with the host's libc family at the host's paths (as the loader of gcc's output expects). */
    private static void copySystemLibc(Path root) throws Exception {
        Closure libc = LibraryClosure.resolve(List.of(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6")), Path.of("/"));
        libc.copyTo(root);
        Path libcFile = root.resolve("usr/lib/x86_64-linux-gnu/libc.so.6");
        if (!Files.exists(libcFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"), libcFile);
        }
    }
}
