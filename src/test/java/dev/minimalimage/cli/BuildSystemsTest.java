package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Fixtures;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * The presets on real projects with the host's toolchains, through `build` exactly as a user runs it: a fixture per
 * build system (src/test/fixtures) and two real programs from Debian source packages, none with a custom script.
 * Each image is unpacked into an otherwise empty root and its program run there.
 */
class BuildSystemsTest {

    static List<String> projects() {
        return Fixtures.PROJECTS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("projects")
    void fixtureProjectBuildsStaticAndRunsFromAnEmptyRoot(String project, @TempDir Path dir) throws Exception {
        String language = Fixtures.fact(project, "language");
        if (language.equals("rust")) {
            assumeTrue(Compilers.hasRustc() && Processes.onPath("cargo"), "no cargo on this machine");
        }
        var before = Fixtures.snapshot(Fixtures.dir(project));
        List<String> args = new ArrayList<>(List.of("build", "--language", language, "--source",
                Fixtures.dir(project).toString(), "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString()));
        if (language.equals("go")) {
            args.addAll(List.of("--go-package", Fixtures.fact(project, "executable")));
        } else if (project.equals("make-two-programs")) { // two programs: the one to ship must be named
            args.addAll(List.of("--executable", Fixtures.fact(project, "executable")));
        } // the others: the one new executable (C, C++) or the one bin target (Cargo) is found

        long started = System.nanoTime();
        CliRun built = CliRun.of(args.toArray(String[]::new));
        long seconds = (System.nanoTime() - started) / 1_000_000_000;

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.result().link().verdict()).isIn("Static", "StaticPie");
        assertThat(runFromEmptyRoot(dir)).isEqualTo(Fixtures.fact(project, "output"));
        assertThat(Fixtures.snapshot(Fixtures.dir(project))).as("the build never writes into the source tree")
                .isEqualTo(before);
        System.out.printf("fixture %s: %d B binary, %d B compressed image, built in %d s%n", project,
                built.result().binarySize(), built.result().compressedSize(), seconds);
    }

    @Test
    void twoProgramsWithoutAnExecutableNamedFailListingBoth(@TempDir Path dir) {
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir("make-two-programs").toString(),
                "--build-dir", dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).isEqualTo(8);
        assertThat(built.result().reason()).isEqualTo("ExecutableAmbiguous");
        assertThat(built.stderr()).contains("the build produced 2 ELF executables in the context directory (calc calcc)")
                .contains("spec.language.executable");
    }

    @Test
    void anExecutableTheBuildDidNotProduceIsNamedWithWhatItDid(@TempDir Path dir) {
        CliRun built = CliRun.of("build", "--language", "cpp", "--source", Fixtures.dir("cmake-cpp").toString(),
                "--executable", "app/greeter", "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).isEqualTo(8);
        assertThat(built.result().reason()).isEqualTo("ExecutableNotFound");
        assertThat(built.stderr()).contains("spec.language.executable 'app/greeter' is not in the CMake build directory")
                .contains("(greeter)");
    }

    @Test
    void aBuildSystemCanBeForcedAndAMakeTargetChosen(@TempDir Path dir) throws Exception {
        // the Makefile's own target for one program: only calcc is built, so it is the one new executable
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir("make-two-programs").toString(),
                "--build-system", "make", "--build-target", "calcc", "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.stderr()).contains("build system: make");
        assertThat(runFromEmptyRoot(dir)).startsWith("calcc");
    }

    /**
     * Laid out like an upstream C library (src/test/fixtures/cmake-lib-tool): its tests link the project's own
     * SHARED library (its own option, not BUILD_SHARED_LIBS), which no -static link takes, and one test is C++. Naming
     * the tool builds only the tool's target.
     */
    @Test
    void aNamedExecutableBuildsOnlyItsCMakeTargetAndNotTheTestsLinkingTheSharedLibrary(@TempDir Path dir)
            throws Exception {
        String project = "cmake-lib-tool";
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir(project).toString(),
                "--executable", Fixtures.fact(project, "executable"), "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.stderr()).contains("building the CMake target src/tally only");
        assertThat(built.result().link().verdict()).isEqualTo("Static");
        assertThat(built.result().link().libc()).isEqualTo("musl");
        assertThat(dir.resolve("work/cmake-build/tests/test_counts")).as("the tests are not built").doesNotExist();
        assertThat(dir.resolve("work/cmake-build/lib/libtally.so")).as("nor the shared library").doesNotExist();
        assertThat(runFromEmptyRoot(dir)).isEqualTo(Fixtures.fact(project, "output"));
    }

    @Test
    void theMuslPresetRefusesABuildThatCompilesCppWithGlibcsCompiler(@TempDir Path dir) {
        // everything: the C++ test program too, which Debian's g++ would compile against glibc beside musl-gcc
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir("cmake-lib-tool").toString(),
                "--build-dir", dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isEqualTo(8);
        assertThat(built.result().reason()).isEqualTo("ToolchainToolMissing");
        assertThat(built.stderr())
                .contains("this build compiles C++ (Building CXX object tests/")
                .contains("the C musl preset has no C++ compiler for musl")
                .contains("--language cpp").contains("--libc glibc").contains("--executable PATH")
                .doesNotContain("Linking CXX executable"); // refused before anything was compiled
        assertThat(dir.resolve("work/cmake-build/lib/libtally.a")).doesNotExist();
    }

    @Test
    void theCppPresetBuildsTheSameToolWithOneCLibrary(@TempDir Path dir) throws Exception {
        String project = "cmake-lib-tool";
        // the whole project: its tests cannot link the project's shared library -static, and the failure says why
        CliRun whole = CliRun.of("build", "--language", "cpp", "--source", Fixtures.dir(project).toString(),
                "--build-dir", dir.resolve("whole").toString(), "--oci-layout", dir.resolve("layout").toString());
        assertThat(whole.exitCode()).as(whole.all()).isEqualTo(8);
        assertThat(whole.result().reason()).isEqualTo("CompileFailed");
        assertThat(whole.stderr()).contains("attempted static link of dynamic object")
                .contains("this built the whole project; to ship one program of it, name it with --executable");

        CliRun built = CliRun.of("build", "--language", "cpp", "--source", Fixtures.dir(project).toString(),
                "--executable", Fixtures.fact(project, "executable"), "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.result().link().verdict()).isIn("Static", "StaticPie");
        assertThat(built.result().link().libc()).isEqualTo("glibc");
        assertThat(runFromEmptyRoot(dir)).isEqualTo(Fixtures.fact(project, "output"));
    }

    @Test
    void anExecutableNoCMakeTargetProducesIsRefusedBeforeBuildingNamingWhatItCanBuild(@TempDir Path dir) {
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir("cmake-lib-tool").toString(),
                "--executable", "src/tallyctl", "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).isEqualTo(8);
        assertThat(built.result().reason()).isEqualTo("ExecutableNotFound");
        assertThat(built.stderr()).contains("the CMake project has no target named 'tallyctl' that would produce"
                + " spec.language.executable 'src/tallyctl' (it can build: ")
                .contains("src/tally ").contains("tests/test_cxx_header").contains("--build-target")
                .doesNotContain("Building C object");
    }

    @Test
    void anExplicitBuildTargetWinsOverTheExecutablesOwn(@TempDir Path dir) throws Exception {
        // the static library's target alone produces no program: the named executable is then missing
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir("cmake-lib-tool").toString(),
                "--build-target", "tally_static", "--executable", "src/tally", "--build-dir",
                dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).isEqualTo(8);
        assertThat(built.result().reason()).isEqualTo("ExecutableNotFound");
        assertThat(built.stderr()).contains("spec.language.executable 'src/tally' is not in the CMake build directory")
                .doesNotContain("building the CMake target");
        assertThat(dir.resolve("work/cmake-build/lib/libtally.a")).exists();
    }

    @Test
    void aNamedExecutableBuildsOnlyItsMakeRule(@TempDir Path dir) throws Exception {
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir("make-two-programs").toString(),
                "--executable", "calcc", "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.stderr()).contains("building the make target calcc only");
        assertThat(dir.resolve("work/build/calc")).as("the other program is not built").doesNotExist();
        assertThat(runFromEmptyRoot(dir)).startsWith("calcc 1.2");
    }

    @Test
    void aNamedExecutableBuildsOnlyWhatWritesItInMeson(@TempDir Path dir) throws Exception {
        String project = "meson-c";
        CliRun built = CliRun.of("build", "--language", "c", "--source", Fixtures.dir(project).toString(),
                "--executable", Fixtures.fact(project, "executable"), "--build-dir", dir.resolve("work").toString(),
                "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.stderr()).contains("building rle-hello only");
        assertThat(runFromEmptyRoot(dir)).isEqualTo(Fixtures.fact(project, "output"));

        CliRun missing = CliRun.of("build", "--language", "c", "--source", Fixtures.dir(project).toString(),
                "--executable", "src/rle-hello", "--build-dir", dir.resolve("work2").toString(),
                "--oci-layout", dir.resolve("layout2").toString());
        assertThat(missing.exitCode()).isEqualTo(8);
        assertThat(missing.result().reason()).isEqualTo("ExecutableNotFound");
        assertThat(missing.stderr()).contains("the Meson build writes no file 'src/rle-hello'").contains("rle-hello");
    }

    @Test
    void theMuslPresetRefusesMesonCppOnlyWhenWhatItBuildsCompilesCpp(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("mixed"));
        Files.writeString(source.resolve("meson.build"), """
                project('mixed', 'c', 'cpp')
                executable('ctool', 'ctool.c')
                executable('cxxtool', 'cxxtool.cpp')
                """);
        Files.writeString(source.resolve("ctool.c"), "#include <stdio.h>\nint main(void) { puts(\"ctool\"); }\n");
        Files.writeString(source.resolve("cxxtool.cpp"), "int main() { return 0; }\n");

        CliRun cxx = CliRun.of("build", "--language", "c", "--source", source.toString(), "--executable", "cxxtool",
                "--build-dir", dir.resolve("work1").toString(), "--oci-layout", dir.resolve("layout1").toString());
        assertThat(cxx.exitCode()).as(cxx.all()).isEqualTo(8);
        assertThat(cxx.result().reason()).isEqualTo("ToolchainToolMissing");
        assertThat(cxx.stderr()).contains("this build compiles C++ (Compiling C++ object cxxtool.p/cxxtool.cpp.o)");

        CliRun c = CliRun.of("build", "--language", "c", "--source", source.toString(), "--executable", "ctool",
                "--build-dir", dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString());
        assertThat(c.exitCode()).as(c.all()).isZero();
        assertThat(runFromEmptyRoot(dir)).isEqualTo("ctool");
    }

    static List<String> debianPrograms() {
        return Fixtures.DEBIAN_PROGRAMS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("debianPrograms")
    void realProgramFromADebianSourcePackageBuildsWithNoScript(String program, @TempDir Path dir) throws Exception {
        Path tree = Fixtures.debianSources(Fixtures.debianFact(program, "package")).get(0)
                .resolve(Fixtures.debianFact(program, "dir"));
        long started = System.nanoTime();
        CliRun built = CliRun.of("build", "--language", Fixtures.debianFact(program, "language"), "--source",
                tree.toString(), "--executable", Fixtures.debianFact(program, "executable"), "--build-dir",
                dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString());

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.stderr()).contains("build system: " + Fixtures.debianFact(program, "buildSystem"));
        String args = Fixtures.debianFact(program, "args");
        String output = runFromEmptyRoot(dir, args == null || args.isBlank() ? new String[0] : args.split(" "));
        String exact = Fixtures.debianFact(program, "output");
        if (exact != null) {
            assertThat(output).isEqualTo(exact);
        } else {
            assertThat(output).contains(Fixtures.debianFact(program, "outputContains"));
        }
        System.out.printf("debian %s: %d B binary, %d B compressed image, built in %d s%n", program,
                built.result().binarySize(), built.result().compressedSize(), (System.nanoTime() - started) / 1_000_000_000);
    }

    /** The first line the image's program prints, run alone in a root holding only the image's layer. */
    private static String runFromEmptyRoot(Path dir, String... args) throws Exception {
        Path rootfs = Skopeo.unpack(dir.resolve("layout"), dir.resolve("rootfs"));
        Processes.Result run = Skopeo.runInRoot(rootfs, "65532", "/app/app", args);
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
        return run.stdout().lines().findFirst().orElse("");
    }
}
