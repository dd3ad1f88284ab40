package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.Verdict;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.planning.CompileStep;
import dev.minimalimage.planning.LanguagePresets;
import dev.minimalimage.planning.ToolchainImages;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * Bundle mode the way the builder pod runs it, with real compilers: the compile script links without -static and
 * ends by staging the toolchain's libraries (stage-bundle, run through a launcher as the pod's copy of minimal-image
 * is); `package --bundle --bundle-root` packs them from the staged root elsewhere; the image runs from an empty root.
 * And the pod's copy of minimal-image itself (stage-runtime) starts in a root that has no C library at all.
 */
class BundleModeTest {

    static final String HELLO_CPP = """
            #include <iostream>
            #include <netdb.h>
            int main() {
                addrinfo *found = nullptr;
                int lookup = getaddrinfo("localhost", nullptr, nullptr, &found);
                std::cout << "hello from a bundle, localhost " << (lookup == 0 ? "found" : gai_strerror(lookup)) << "\\n";
                return 0;
            }
            """;

    @TempDir
    static Path work;
    static Path launcher;

    /** What the runtime step gives the compile step: a command that runs this build of minimal-image. */
    @BeforeAll
    static void launcherForThisBuild() throws Exception {
        Processes.requireOnPath("g++", "gcc", "unshare", "tar", "busybox");
        String java = ProcessHandle.current().info().command().orElseThrow();
        launcher = work.resolve("minimal-image");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path")
                + "' dev.minimalimage.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aCppProgramIsLinkedDynamicallyStagedWhereItWasCompiledAndRunsFromAnEmptyRoot() throws Exception {
        Path dir = Files.createDirectories(work.resolve("cpp"));
        Processes.Result compile = compile(dir, List.of());
        assertThat(compile.exitCode()).as(all(compile)).isZero();

        Path binary = dir.resolve("work/out/app");
        assertThat(ElfLinkAnalyzer.analyze(binary).verdict()).as("no -static in bundle mode").isEqualTo(Verdict.Dynamic);
        Path staged = dir.resolve("work/bundle-root");
        assertThat(Files.exists(staged.resolve("etc/ld.so.conf"))).as("the loader's configuration travels along")
                .isTrue();
        CliRun pack = CliRun.of("package", binary.toString(), "--bundle", "--bundle-root", staged.toString(),
                "--oci-layout", dir.resolve("layout").toString());
        assertThat(pack.exitCode()).as(pack.all()).isZero();
        BuildResult result = pack.result();
        assertThat(result.link().verdict()).isEqualTo("Dynamic");
        assertThat(result.link().bundled()).anyMatch(p -> p.endsWith("/libstdc++.so.6"))
                .anyMatch(p -> p.endsWith("/libc.so.6")).contains("/etc/nsswitch.conf");

        Path rootfs = Skopeo.unpack(dir.resolve("layout"), dir.resolve("rootfs"));
        Processes.Result run = Skopeo.runInRoot(rootfs, "65532", "/app/app");
        assertThat(run.stdout()).as(all(run)).isEqualTo("hello from a bundle, localhost found\n");
    }

    @Test
    void aLibraryTheToolchainLacksFailsTheCompileStepWithItsOwnExitCodeNamingIt() throws Exception {
        Path dir = Files.createDirectories(work.resolve("missing"));
        Processes.Result compile = compile(dir, List.of("libnot-in-this-image.so.3"));

        assertThat(compile.exitCode()).as(all(compile)).isEqualTo(CompileExitCodes.BUNDLE_INCOMPLETE);
        assertThat(CompileExitCodes.reasonOf(compile.exitCode())).isEqualTo(ResultReason.BundleIncomplete);
        assertThat(all(compile)).contains("error: cannot bundle: ").contains("libnot-in-this-image.so.3")
                .contains("/usr/lib/x86_64-linux-gnu");
    }

    @Test
    void aCorruptLibraryIsACompileFailureNotAMissingOne() throws Exception {
        Path dir = Files.createDirectories(work.resolve("corrupt"));
        Path library = Files.createDirectories(dir.resolve("lib")).resolve("libcorrupt.so.1");
        Files.write(library, new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 }); // an ELF header cut short
        Processes.Result compile = compile(dir, List.of(library.toString()));

        assertThat(compile.exitCode()).as(all(compile)).isNotZero().isNotEqualTo(CompileExitCodes.BUNDLE_INCOMPLETE);
        assertThat(CompileExitCodes.reasonOf(compile.exitCode())).isEqualTo(ResultReason.CompileFailed);
        assertThat(all(compile)).contains("error: cannot bundle: ").contains("libcorrupt.so.1: truncated ELF");
    }

    @Test
    void theRuntimeCopyStartsWithItsOwnLoaderInARootWithoutAnyCLibrary() throws Exception {
        Path dir = Files.createDirectories(work.resolve("runtime"));
        // a stand-in for bin/java that prints its arguments: a dynamic glibc program, as java is
        Path javaHome = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Files.copy(Compilers.gcc(dir.resolve("cc"), "java", """
                #include <stdio.h>
                int main(int argc, char **argv) {
                    for (int i = 1; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "\\n");
                    return 0;
                }
                """, "-O2"), javaHome.resolve("bin/java"));
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.writeString(app.resolve("quarkus-run.jar"), "stand-in");
        Path stage = dir.resolve("stage");

        CliRun staged = CliRun.of("stage-runtime", "--to", stage.toString(), "--java-home", javaHome.toString(),
                "--app", app.toString());
        assertThat(staged.exitCode()).as(staged.all()).isZero();

        // nothing in the root but a static shell for the launcher; the copy is mounted at the path it was written to
        Path root = Files.createDirectories(dir.resolve("root/bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("sh"));
        Files.createDirectories(dir.resolve("root").resolve(stage.toString().substring(1)));
        String inside = "mount --bind '" + stage + "' '" + dir.resolve("root") + stage + "' && exec chroot '"
                + dir.resolve("root") + "' '" + stage + "/bin/minimal-image' stage-bundle --help";
        Processes.Result run = Processes.run(Duration.ofSeconds(30), List.of("unshare", "-r", "-m", "/bin/sh", "-c",
                inside), Map.of(), null);

        assertThat(run.exitCode()).as(all(run)).isZero();
        assertThat(run.stdout().strip()).isEqualTo(String.join(" ", BuilderLayout.SHORT_RUN_JAVA_OPTIONS) + " -jar " + stage
                + "/app/run.jar stage-bundle --help");
        assertThat(Files.readSymbolicLink(stage.resolve("app/run.jar"))).hasToString("quarkus-run.jar");

        // a Dockerfile stage's image may have no shell: the loader is started directly, at a fixed name
        String direct = "mount --bind '" + stage + "' '" + dir.resolve("root") + stage + "' && rm '" + root
                + "/sh' && exec chroot '" + dir.resolve("root") + "' " + String.join(" ", BuilderLayout
                        .runtimeCommand(stage.toString()).stream().map(w -> "'" + w + "'").toList()) + " run-stage";
        Processes.Result started = Processes.run(Duration.ofSeconds(30), List.of("unshare", "-r", "-m", "/bin/sh",
                "-c", direct), Map.of(), null);
        assertThat(started.exitCode()).as(all(started)).isZero();
        assertThat(started.stdout().strip()).isEqualTo(String.join(" ", BuilderLayout.SHORT_RUN_JAVA_OPTIONS) + " -jar " + stage
                + "/app/run.jar run-stage");
    }

    private static String all(Processes.Result result) {
        return result.stdout() + result.stderr();
    }

    /** The compile step of a C++ resource with linkPolicy Bundle, run by /bin/sh with the host's toolchain. */
    private static Processes.Result compile(Path dir, List<String> extraLibraries) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("hello.cpp"), HELLO_CPP);
        Language cpp = new Language();
        cpp.setName(Language.Name.CPP);
        CompileStep step = LanguagePresets.withBundleStaging(
                LanguagePresets.compileStep(cpp, ToolchainImages.DEFAULTS, LanguagePresets.Linking.DYNAMIC),
                launcher.toString(), dir.resolve("work/bundle-root").toString(), extraLibraries);
        Map<String, String> env = new HashMap<>(step.env());
        env.putAll(Map.of("PATH", System.getenv("PATH"), "SRC", src.toString(), "WORK", dir.resolve("work").toString(),
                "OUT", dir.resolve("work/out/app").toString(), "HOME", dir.resolve("home").toString()));
        return Processes.run(Duration.ofMinutes(3), List.of("/bin/sh", "-c", step.script()), env, null);
    }
}
