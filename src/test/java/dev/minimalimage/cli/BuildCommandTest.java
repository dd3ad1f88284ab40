package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Processes;

/** `build` runs the operator's presets with the host toolchain: static results, compiler errors reported. */
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

        Files.writeString(c.resolve("main.c"), "int main(void) { return 0 }\n");
        CliRun broken = CliRun.of("build", "--language", "c", "--source", c.toString(), "--oci-layout",
                dir.resolve("layout-broken").toString());
        assertThat(broken.exitCode()).isEqualTo(8);
        assertThat(broken.stderr()).contains("error: expected");
        assertThat(broken.result().reason()).isEqualTo("CompileFailed");
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
