package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.image.closure.LibraryClosure;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * `package --bundle` against real parts: programs from gcc, g++ and musl-gcc that cannot run on scratch alone,
 * bundled from a system root, pushed to a real registry on 127.0.0.1, pulled back with skopeo and run from a root
 * holding nothing but the image's layer. ldd is used here only, as the independent check of the closure.
 */
class PackageBundleTest {

    static final String HELLO_C = "#include <stdio.h>\nint main(void){puts(\"hello, bundled\");return 0;}\n";
    static final String HELLO_CPP = "#include <iostream>\n#include <string>\nint main(){std::string s(\"hello from\");"
            + " s += \" libstdc++\"; std::cout << s << std::endl; return 0;}\n";
    static final String RESOLVE_C = """
            #include <stdio.h>
            #include <string.h>
            #include <netdb.h>
            #include <arpa/inet.h>
            int main(void) {
                struct addrinfo hints, *res;
                memset(&hints, 0, sizeof hints);
                hints.ai_family = AF_INET;
                hints.ai_socktype = SOCK_STREAM;
                int rc = getaddrinfo("localhost", "80", &hints, &res);
                if (rc != 0) { printf("getaddrinfo: %s\\n", gai_strerror(rc)); return 1; }
                char text[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &((struct sockaddr_in *) res->ai_addr)->sin_addr, text, sizeof text);
                printf("localhost is %s\\n", text);
                return 0;
            }
            """;

    @TempDir
    static Path work;
    static LocalRegistry registry;
    /** name -> {dynamic, static} compressed image sizes, printed at the end. */
    static final Map<String, String> SIZES = new LinkedHashMap<>();

    @BeforeAll
    static void startRegistry() {
        Processes.requireOnPath("gcc", "g++", "musl-gcc", "skopeo", "tar", "ldd");
        registry = LocalRegistry.start(work.resolve("registry"));
    }

    @AfterAll
    static void stopRegistryAndPrintSizes() {
        if (registry != null) {
            registry.close();
        }
        System.out.println("bundle sizes (compressed image bytes: manifest + config + layers):");
        SIZES.forEach((name, line) -> System.out.println("  " + name + ": " + line));
    }

    @Test
    void glibcCProgramIsBundledAndRunsFromAnEmptyRoot() throws Exception {
        BuildResult result = bundleAndRun(Compilers.gcc(work.resolve("c"), "hello", HELLO_C, "-O2"), "hello-c",
                "hello, bundled\n");
        compareWithStatic("C (gcc)", result, Compilers.gcc(work.resolve("c"), "hello-static", HELLO_C, "-O2",
                "-static"), "hello, bundled\n");
        assertThat(result.link().bundled()).contains("/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64")
                .doesNotContain("/etc/nsswitch.conf");
    }

    @Test
    void cppProgramWithSharedLibstdcxxIsBundledAndRuns() throws Exception {
        Path cpp = Compilers.gxx(work.resolve("cpp"), "hello", HELLO_CPP, "-O2");
        Path cppStatic = Compilers.gxx(work.resolve("cpp"), "hello-static", HELLO_CPP, "-O2", "-static");
        BuildResult result = bundleAndRun(cpp, "hello-cpp", "hello from libstdc++\n");
        compareWithStatic("C++ (g++)", result, cppStatic, "hello from libstdc++\n");
        assertThat(result.link().bundled()).anyMatch(p -> p.contains("libstdc++.so.6"))
                .anyMatch(p -> p.contains("libgcc_s.so.1")).anyMatch(p -> p.endsWith("/libm.so.6"));
    }

    @Test
    void glibcNameLookupGetsTheNssFilesAndResolvesLocalhostFromAnEmptyRoot() throws Exception {
        Path resolver = Compilers.gcc(work.resolve("nss"), "resolve", RESOLVE_C, "-O2");
        BuildResult result = bundleAndRun(resolver, "resolve", "localhost is 127.0.0.1\n");
        assertThat(result.link().bundled()).contains("/etc/nsswitch.conf", "/etc/hosts", "/etc/passwd", "/etc/group")
                .noneMatch(p -> p.contains("libnss_")); // glibc 2.36 here: files and dns are built into libc.so.6
        Path rootfs = work.resolve("pull-resolve/rootfs");
        assertThat(Files.readString(rootfs.resolve("etc/nsswitch.conf"))).contains("hosts: files dns");
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains("nonroot:x:65532:65532:");
        // static glibc with getaddrinfo is the NSS trap: it links with a warning and needs libnss_* at runtime
        compareWithStatic("getaddrinfo (gcc)", result, Compilers.gcc(work.resolve("nss"), "resolve-static",
                RESOLVE_C, "-O2", "-static"), null);
    }

    @Test
    void muslProgramIsBundledFromAMuslOnlyRoot() throws Exception {
        Path root = muslRoot(work.resolve("musl-root"));
        Path hello = Compilers.muslGcc(work.resolve("musl"), "hello", HELLO_C, "-O2");
        String ref = registry.host() + "/bundle-musl:1";
        CliRun run = CliRun.of("package", hello.toString(), "--image", ref, "--insecure", "--bundle", "--bundle-root",
                root.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        assertThat(result.link().interpreter()).isEqualTo("/lib/ld-musl-x86_64.so.1");
        assertThat(result.link().bundled()).containsExactly("/lib", "/usr/lib/ld-musl-x86_64.so.1",
                "/usr/lib/x86_64-linux-musl/libc.so");
        Path rootfs = Skopeo.pullRootfs(result.image(), work.resolve("pull-musl"));
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", "/app/hello");
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        assertThat(ran.stdout()).isEqualTo("hello, bundled\n");
        SIZES.put("C (musl-gcc, dynamic + bundle)", result.compressedSize() + " B");
    }

    @Test
    void originRunpathLibraryLandsWhereTheLoaderLooksInTheImage() throws Exception {
        Path tree = work.resolve("origin");
        Path lib = Compilers.gcc(tree.resolve("lib"), "libgreet.so",
                "#include <stdio.h>\nvoid greet(void){puts(\"greetings from libgreet\");}\n", "-shared", "-fPIC");
        Path program = linkAgainst(tree.resolve("bin"), "greeter", "void greet(void);\nint main(void){greet();return 0;}\n",
                lib, "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags");
        assertThat(Processes.run(Duration.ofSeconds(10), List.of("readelf", "-d", program.toString())).stdout())
                .contains("RUNPATH").contains("$ORIGIN/../lib");
        BuildResult result = bundleAndRun(program, "greeter", "greetings from libgreet\n");
        // /app/../lib is /lib, which the bundle carries as a link to usr/lib (Debian's merged /usr)
        assertThat(result.link().bundled()).contains("/usr/lib/libgreet.so", "/lib");
    }

    /**
     * The root's loader finds /usr/local/lib through ld.so.cache (built from ld.so.conf by ldconfig); the image has
     * no cache, so the bundle must tell its loader where to look, or the program dies "cannot open shared object".
     */
    @Test
    void aLibraryFoundThroughLdSoConfIsFoundByTheImagesLoaderToo() throws Exception {
        Path root = work.resolve("conf-root");
        Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
        LibraryClosure.resolve(List.of(libc), Path.of("/")).copyTo(root); // its loader, at the host's paths
        Files.copy(libc, root.resolve("usr/lib/x86_64-linux-gnu/libc.so.6"));
        Path lib = Compilers.gcc(root.resolve("usr/local/lib"), "libgreet.so",
                "#include <stdio.h>\nvoid greet(void){puts(\"greetings via ld.so.conf\");}\n", "-shared", "-fPIC");
        Files.createDirectories(root.resolve("etc/ld.so.conf.d"));
        Files.createDirectories(root.resolve("etc/vendor"));
        // Debian's layout, plus an include outside ld.so.conf.d that the staged copy must carry too
        Files.writeString(root.resolve("etc/ld.so.conf"), "include /etc/ld.so.conf.d/*.conf\ninclude vendor/ld.conf\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/x86_64-linux-gnu.conf"), "/usr/lib/x86_64-linux-gnu\n");
        Files.writeString(root.resolve("etc/vendor/ld.conf"), "# as Debian's libc.conf\n/usr/local/lib\n");
        Path program = linkAgainst(work.resolve("conf/bin"), "confgreeter",
                "void greet(void);\nint main(void){greet();return 0;}\n", lib);
        String ref = registry.host() + "/bundle-conf:1";
        CliRun run = CliRun.of("package", program.toString(), "--image", ref, "--insecure", "--bundle", "--bundle-root",
                root.toString(), "--env", "GREETING=kept");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.result().link().bundled()).contains("/usr/local/lib/libgreet.so");

        Path rootfs = Skopeo.pullRootfs(run.result().image(), work.resolve("pull-conf"));
        List<String> env = Skopeo.env(run.result().image());
        assertThat(env).containsExactly("GREETING=kept", "LD_LIBRARY_PATH=/usr/local/lib");
        assertThat(Skopeo.runInRoot(rootfs, "65532", "/app/confgreeter").stderr()) // what it was before the fix
                .contains("libgreet.so: cannot open shared object file");
        Processes.Result ran = Skopeo.runInRoot(rootfs, env, "65532", "/app/confgreeter");
        assertThat(ran.exitCode()).as(ran.stderr() + ran.stdout()).isZero();
        assertThat(ran.stdout()).isEqualTo("greetings via ld.so.conf\n");

        // the operator's way: staged where it was compiled (ld.so.conf copied along), packed from the copy
        Path staged = work.resolve("conf-staged");
        CliRun stage = CliRun.of("stage-bundle", program.toString(), "--root", root.toString(), "--to", staged.toString());
        assertThat(stage.exitCode()).as(stage.all()).isZero();
        assertThat(staged.resolve("etc/vendor/ld.conf")).hasSameTextualContentAs(root.resolve("etc/vendor/ld.conf"));
        CliRun fromCopy = CliRun.of("package", program.toString(), "--oci-archive", work.resolve("conf.tar").toString(),
                "--bundle", "--bundle-root", staged.toString(), "--env", "GREETING=kept");
        assertThat(fromCopy.exitCode()).as(fromCopy.all()).isZero();
        assertThat(fromCopy.result().digest()).isEqualTo(run.result().digest());
    }

    @Test
    void aMissingLibraryFailsNamingItWhoNeedsItAndWhereItWasSearchedAndPushesNothing() throws Exception {
        Path tree = work.resolve("missing");
        Path lib = Compilers.gcc(tree.resolve("lib"), "libabsent.so", "int absent(void){return 0;}\n", "-shared",
                "-fPIC");
        Path program = linkAgainst(tree.resolve("bin"), "needy", "int absent(void);\nint main(void){return absent();}\n",
                lib);
        CliRun run = CliRun.of("package", program.toString(), "--image", registry.host() + "/bundle-missing:1",
                "--insecure", "--bundle");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(3);
        BuildResult result = run.result();
        assertThat(result.reason()).isEqualTo("BundleIncomplete");
        assertThat(result.message()).contains("libabsent.so").contains("needed by " + program)
                .contains("searched: ").contains("/lib/x86_64-linux-gnu").contains("/usr/lib");
        assertThat(result.digest()).isNull();
        assertThat(registry.dockerContentDigest("bundle-missing", "1")).isEmpty();

        CliRun extra = CliRun.of("package", program.toString(), "--oci-layout", tree.resolve("l").toString(),
                "--bundle", "--bundle-root", tree.toString(), "--extra-library", "libnothere.so.7");
        assertThat(extra.exitCode()).isEqualTo(3);
        assertThat(extra.result().message()).contains("not found");
        assertThat(CliRun.of("package", program.toString(), "--oci-layout", tree.resolve("l2").toString(),
                "--extra-library", "libz.so.1").exitCode()).isEqualTo(2);
    }

    @Test
    void theBundleIsReproducibleAndDynamicBinariesAreStillRefusedWithoutIt() throws Exception {
        Path c = Compilers.gcc(work.resolve("repro"), "hello", HELLO_C, "-O2");
        CliRun first = CliRun.of("package", c.toString(), "--oci-layout", work.resolve("repro/a").toString(), "--bundle");
        CliRun second = CliRun.of("package", c.toString(), "--oci-archive", work.resolve("repro/b.tar").toString(),
                "--bundle");
        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(second.result().digest()).isEqualTo(first.result().digest());
        assertThat(first.stdout().strip().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThan(BuildResult.MAX_BYTES);
        CliRun refused = CliRun.of("package", c.toString(), "--oci-layout", work.resolve("repro/c").toString());
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.result().reason()).isEqualTo("DynamicDependency");
        assertThat(refused.result().message()).contains("--bundle");
    }

    /** Bundles from /, pushes, pulls, runs from an empty root as 65532; checks the closure against ldd. */
    private BuildResult bundleAndRun(Path program, String repository, String expected) throws Exception {
        String ref = registry.host() + "/bundle-" + repository + ":1";
        CliRun run = CliRun.of("package", program.toString(), "--image", ref, "--insecure", "--bundle");
        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        assertThat(result.link().verdict()).isEqualTo("Dynamic");
        assertThat(result.link().bundleBytes()).isPositive();
        assertThat(registry.dockerContentDigest("bundle-" + repository, "1")).contains(result.digest());
        Path rootfs = Skopeo.pullRootfs(result.image(), work.resolve("pull-" + repository));
        for (String loaded : ldd(program)) {
            if (Path.of(loaded).startsWith(work)) { // the program's own tree ($ORIGIN): placed relative to /app
                String name = "/" + Path.of(loaded).getFileName();
                assertThat(result.link().bundled()).as(loaded + " (ldd)").anyMatch(p -> p.endsWith(name));
            } else {
                assertThat(resolveInside(rootfs, loaded)).as(loaded + " (ldd) in the image").isNotNull();
            }
        }
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", "/app/" + program.getFileName());
        assertThat(ran.exitCode()).as(ran.stderr() + ran.stdout()).isZero();
        assertThat(ran.stdout()).isEqualTo(expected);
        return result;
    }

    /** gcc with the shared library after the source (link order matters), plus {@code flags}. */
    private static Path linkAgainst(Path dir, String name, String source, Path library, String... flags)
            throws IOException {
        Path src = Files.writeString(Files.createDirectories(dir).resolve(name + ".c"), source);
        Path out = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-o", out.toString(), src.toString(),
                "-L" + library.getParent(), "-l" + library.getFileName().toString().replaceAll("^lib|\\.so$", "")));
        command.addAll(List.of(flags));
        Processes.run(Duration.ofSeconds(120), command).requireSuccess("gcc");
        return out;
    }

    /** Packs the static build of the same program (OCI layout, no push) and records both sizes. */
    private void compareWithStatic(String name, BuildResult bundled, Path staticBinary, String expected)
            throws IOException {
        Path layout = work.resolve("static-" + staticBinary.getFileName() + "-" + name.hashCode());
        CliRun run = CliRun.of("package", staticBinary.toString(), "--oci-layout", layout.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        Processes.Result ran = Skopeo.runInRoot(Skopeo.unpack(layout, layout.resolve("rootfs")), "65532",
                "/app/" + staticBinary.getFileName());
        String note = "";
        if (expected != null) {
            assertThat(ran.stdout()).isEqualTo(expected);
        } else {
            note = "; static from an empty root printed \"" + ran.stdout().strip() + "\" (exit " + ran.exitCode()
                    + "), hazards " + result.link().hazards();
        }
        SIZES.put(name, "dynamic + bundle " + bundled.compressedSize() + " B (bundle " + bundled.link().bundleBytes()
                + " B of files, " + bundled.link().bundled().size() + " paths) vs static " + result.compressedSize()
                + " B (binary " + result.binarySize() + " B)" + note);
    }

    /** The paths ldd lists for a program (test-only: ldd may run the program's loader). */
    private static List<String> ldd(Path program) {
        String out = Processes.run(Duration.ofSeconds(30), List.of("ldd", program.toString())).requireSuccess("ldd")
                .stdout();
        List<String> paths = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*(?:\\S+ => )?(/\\S+) \\(0x").matcher(out);
        while (m.find()) {
            paths.add(m.group(1));
        }
        assertThat(paths).as(out).isNotEmpty();
        return paths;
    }

    /** Resolves an absolute path inside {@code rootfs} as a chroot would (absolute links restart at rootfs). */
    static Path resolveInside(Path rootfs, String absolute) throws IOException {
        Path current = rootfs;
        List<String> todo = new ArrayList<>(List.of(absolute.substring(1).split("/")));
        for (int hops = 0; !todo.isEmpty() && hops < 100; hops++) {
            String name = todo.remove(0);
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            Path next = name.equals("..") ? (current.equals(rootfs) ? rootfs : current.getParent()) : current.resolve(name);
            if (Files.isSymbolicLink(next)) {
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    current = rootfs;
                }
                todo.addAll(0, List.of(target.split("/")));
            } else if (Files.exists(next, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                current = next;
            } else {
                return null;
            }
        }
        return current;
    }

    /** An Alpine-like root with nothing but musl's loader (which is also its libc), laid out as Debian's musl package. */
    private static Path muslRoot(Path root) throws IOException {
        Path loader = Path.of("/lib/ld-musl-x86_64.so.1").toRealPath();
        Path libc = root.resolve("usr/lib/x86_64-linux-musl/libc.so");
        Files.createDirectories(libc.getParent());
        Files.copy(loader, libc);
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("usr/lib/ld-musl-x86_64.so.1"), Path.of("x86_64-linux-musl/libc.so"));
        return root;
    }
}
