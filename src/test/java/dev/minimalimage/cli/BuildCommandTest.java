package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Processes;
import picocli.CommandLine;

/**
 * `build` runs the operator's presets with the host toolchain: static results, compiler errors reported, a line per
 * stage, everything that needs no compiler checked first, no temporary directory left behind.
 */
class BuildCommandTest {

    @Test
    void presetsBuildStaticBinariesAndCompileErrorsHaveTheirExitCode(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "go");
        Path c = Files.createDirectories(dir.resolve("c"));
        Files.writeString(c.resolve("main.c"), "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n");
        CliRun built = CliRun.of("build", "--language", "c", "--source", c.toString(), "--build-dir",
                dir.resolve("work-c").toString(), "--oci-layout", dir.resolve("layout-c").toString());
        assertThat(built.exitCode()).as(built.all()).isZero();
        BuildResult result = built.result();
        assertThat(result.link().verdict()).isEqualTo("Static");
        assertThat(result.link().libc()).isEqualTo("musl");
        assertThat(dir.resolve("layout-c/index.json")).exists();

        Path go = Files.createDirectories(dir.resolve("go"));
        Files.writeString(go.resolve("main.go"), "package main\nimport \"fmt\"\nfunc main(){ fmt.Println(\"hi\") }\n");
        CliRun goBuild = CliRun.of("build", "--language", "go", "--source", go.toString(), "--build-dir",
                dir.resolve("work-go").toString(), "--oci-layout", dir.resolve("layout-go").toString());
        assertThat(goBuild.exitCode()).as(goBuild.all()).isZero();
        assertThat(goBuild.result().link().libc()).isEqualTo("none");
        for (CliRun run : List.of(built, goBuild)) { // one line per stage, with its time, for every language
            assertThat(run.stderr()).containsPattern("(?m)^compile: \\d+\\.\\d s \\(app\\)$")
                    .containsPattern("(?m)^verify: \\d+\\.\\d s \\(Static, (musl|none)\\)$")
                    .containsPattern("(?m)^pack: \\d+\\.\\d s \\(\\d+ bytes compressed\\)$")
                    .containsPattern("(?m)^write: \\d+\\.\\d s \\(oci:/.*:latest\\)$");
        }

        Files.writeString(c.resolve("main.c"), "int main(void) { return 0 }\n");
        CliRun broken = CliRun.of("build", "--language", "c", "--source", c.toString(), "--oci-layout",
                dir.resolve("layout-broken").toString());
        assertThat(broken.exitCode()).isEqualTo(8);
        assertThat(broken.stderr()).contains("error: expected");
        assertThat(broken.result().reason()).isEqualTo("CompileFailed");
    }

    @Test
    void everythingThatNeedsNoCompilerIsCheckedBeforeCompiling(@TempDir Path dir) throws Exception {
        Path go = Files.createDirectories(dir.resolve("go"));
        Files.writeString(go.resolve("main.go"), "package main\nfunc main(){}\n");
        List<List<String>> refusals = List.of(
                List.of(), // no destination
                List.of("--oci-archive", dir.toString()),
                List.of("--oci-layout", dir.resolve("l").toString(), "--user", "bob"),
                List.of("--oci-layout", dir.resolve("l").toString(), "--debug-tag", "debug"),
                List.of("--oci-layout", dir.resolve("l").toString(), "--result-file", dir.resolve("a/b").toString()));
        List<String> messages = List.of("name a destination", "--oci-archive " + dir + ": is a directory",
                "--user bob: ", "--debug-tag pushes the twin to the --image repository",
                "--result-file " + dir.resolve("a/b") + ": no such file or directory");
        for (int i = 0; i < refusals.size(); i++) {
            List<String> args = new ArrayList<>(List.of("build", "--language", "go", "--source", go.toString()));
            args.addAll(refusals.get(i));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
            assertThat(run.result().message()).startsWith(messages.get(i));
            assertThat(run.stderr()).as("nothing compiled").doesNotContain("compile:").doesNotContain("preset");
        }
        CliRun noSource = CliRun.of("build", "--language", "c", "--source", dir.resolve("nope").toString(),
                "--oci-layout", dir.resolve("l").toString());
        assertThat(noSource.exitCode()).isEqualTo(2);
        assertThat(noSource.result().reason()).isEqualTo("FileError");
        assertThat(noSource.result().message()).isEqualTo("--source " + dir.resolve("nope")
                + ": no such file or directory");

        CliRun oldName = CliRun.of("build", "--language", "c", "--source", go.toString(), "--work-dir",
                dir.resolve("w").toString(), "--oci-layout", dir.resolve("l").toString());
        assertThat(oldName.exitCode()).isEqualTo(2);
        assertThat(oldName.stderr()).contains("--work-dir is now --build-dir DIR")
                .contains("--workdir DIR sets the image's working directory");
        assertThat(dir.resolve("w")).doesNotExist();
        assertThat(oldName.result().reason()).as("a result record like every other refusal")
                .isEqualTo("InvalidArguments");
        assertThat(oldName.result().message()).startsWith("--work-dir is now --build-dir DIR");
    }

    @Test
    void aBuildDirectoryInsideTheSourceIsRefusedBeforeItIsCreated(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("src"));
        Files.writeString(source.resolve("main.go"), "package main\nfunc main(){}\n");
        Path link = Files.createSymbolicLink(dir.resolve("link"), source);
        List<String> inside = List.of(source.resolve("build/deep").toString(), // missing parents too
                dir.resolve("src/x/../build").toString(), // not normalized
                link.resolve("build").toString()); // through a symbolic link to the source
        for (String buildDir : inside) {
            CliRun run = CliRun.of("build", "--language", "go", "--source", source.toString(), "--build-dir", buildDir,
                    "--oci-layout", dir.resolve("l").toString());
            assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
            assertThat(run.result().reason()).isEqualTo("InvalidArguments");
            assertThat(run.result().message()).isEqualTo("--build-dir " + buildDir + " is inside --source " + source
                    + "; the compile step copies the sources into it, so choose a directory outside");
            assertThat(run.stderr()).doesNotContain("compile:");
            try (var left = Files.list(source)) {
                assertThat(left).as("nothing created in the source tree").containsExactly(source.resolve("main.go"));
            }
        }
    }

    @Test
    void aTemporaryBuildDirectoryThatCannotBeRemovedOnlyWarns(@TempDir Path dir) throws Exception {
        Path temporary = Files.createDirectories(dir.resolve("tmp"));
        CommandLine.IFactory failingRemoval = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = CommandLine.defaultFactory().create(type);
                if (command instanceof BuildCommand build) {
                    build.temporaryRoot = temporary;
                    build.removeTree = root -> {
                        throw new AccessDeniedException(root.resolve("out").toString());
                    };
                }
                return command;
            }
        };
        Path source = Files.createDirectories(dir.resolve("src"));
        List<String> common = List.of("build", "--language", "custom", "--source", source.toString(), "--oci-layout",
                dir.resolve("layout").toString(), "--allow-dynamic", "--script");
        List<String> ok = new ArrayList<>(common);
        ok.add("cp /bin/true \"$OUT\"");
        CliRun built = CliRun.of(failingRemoval, ok.toArray(String[]::new));
        List<String> failing = new ArrayList<>(common);
        failing.add("exit 1");
        CliRun broken = CliRun.of(failingRemoval, failing.toArray(String[]::new));

        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(built.result().succeeded()).isTrue();
        assertThat(broken.exitCode()).as(broken.all()).isEqualTo(8);
        assertThat(broken.result().reason()).isEqualTo("CompileFailed");
        for (CliRun run : List.of(built, broken)) {
            assertThat(run.stderr()).containsPattern("(?m)^warning: could not remove the temporary build directory "
                    + temporary + "/minimal-image-build\\d+: " + temporary + "/minimal-image-build\\d+/out:"
                    + " permission denied$");
        }
    }

    @Test
    void removingTheBuildDirectoryWarnsWithTheDirectoryAndTheReason(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        StringWriter err = new StringWriter();
        BuildCommand.removeBuildDirectory(work, root -> {
            throw new DirectoryNotEmptyException(root.toString());
        }, new PrintWriter(err, true));
        assertThat(err.toString()).isEqualTo("warning: could not remove the temporary build directory " + work + ": "
                + work + ": directory not empty" + System.lineSeparator());

        StringWriter quiet = new StringWriter();
        BuildCommand.removeBuildDirectory(work, Trees::delete, new PrintWriter(quiet, true));
        assertThat(quiet.toString()).isEmpty();
        assertThat(work).doesNotExist();
    }

    @Test
    void theTemporaryBuildDirectoryIsRemovedAfterSuccessAndFailure(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc");
        Path temporary = Files.createDirectories(dir.resolve("tmp"));
        CommandLine.IFactory watched = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = CommandLine.defaultFactory().create(type);
                if (command instanceof BuildCommand build) {
                    build.temporaryRoot = temporary;
                }
                return command;
            }
        };
        Path c = Files.createDirectories(dir.resolve("c"));
        Files.writeString(c.resolve("main.c"), "int main(void){return 0;}\n");
        CliRun built = CliRun.of(watched, "build", "--language", "c", "--source", c.toString(), "--oci-layout",
                dir.resolve("layout").toString());
        assertThat(built.exitCode()).as(built.all()).isZero();
        assertThat(temporary).isEmptyDirectory();

        Files.writeString(c.resolve("main.c"), "int main(void) { return 0 }\n");
        CliRun broken = CliRun.of(watched, "build", "--language", "c", "--source", c.toString(), "--oci-layout",
                dir.resolve("layout").toString());
        assertThat(broken.exitCode()).as(broken.all()).isEqualTo(8);
        assertThat(broken.stderr()).containsPattern("(?m)^compile: \\d+\\.\\d s \\(exit code 1\\)$");
        assertThat(temporary).isEmptyDirectory();

        Path kept = dir.resolve("kept");
        Files.writeString(c.resolve("main.c"), "int main(void){return 0;}\n");
        CliRun keep = CliRun.of(watched, "build", "--language", "c", "--source", c.toString(), "--build-dir",
                kept.toString(), "--oci-layout", dir.resolve("layout").toString());
        assertThat(keep.exitCode()).as(keep.all()).isZero();
        assertThat(kept.resolve("out/app")).isRegularFile();
        assertThat(temporary).isEmptyDirectory();
    }

    @Test
    void withBundleThePresetLinksDynamicallyAndTheImageCarriesTheLibraries(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("g++");
        Path cpp = Files.createDirectories(dir.resolve("cpp"));
        Files.writeString(cpp.resolve("main.cpp"), "#include <iostream>\nint main(){std::cout<<\"hi\\n\";}\n");
        CliRun built = CliRun.of("build", "--language", "cpp", "--bundle", "--source", cpp.toString(), "--build-dir",
                dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString(), "--smoke-test", "",
                "--smoke-output-pattern", "^hi$");
        assertThat(built.exitCode()).as(built.all()).isZero();
        BuildResult result = built.result();
        assertThat(result.link().verdict()).isEqualTo("Dynamic");
        assertThat(result.link().bundled()).anyMatch(p -> p.endsWith("/libstdc++.so.6"));
        assertThat(result.smokeTest().passed()).as(built.all()).isTrue();
    }
}
