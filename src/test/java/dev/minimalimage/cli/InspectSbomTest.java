package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minimalimage.testsupport.Compilers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `inspect --sbom` as a user runs it: one schema-valid CycloneDX document for all files, or a clear error. */
class InspectSbomTest {

    @Test
    void printsOneValidSbomForAllFilesWithTheToolchainsVersions(@TempDir Path dir) throws Exception {
        Path c = Compilers.muslGcc(dir, "c-hello", "int main(void){return 0;}\n", "-static");
        Path cxx = Compilers.gxx(dir, "cxx-hello", "#include <iostream>\nint main(){std::cout << 1;}\n", "-static");

        CliRun run = CliRun.of("inspect", "--sbom", "--toolchain-root", "/", c.toString(), cxx.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        byte[] json = run.stdout().getBytes(StandardCharsets.UTF_8);
        assertThat(new JsonParser().validate(json, Version.VERSION_16)).isEmpty();
        JsonNode bom = new ObjectMapper().readTree(json);
        List<String> names = new ArrayList<>();
        bom.path("components").forEach(n -> names.add(n.path("name").asText()));
        assertThat(names).contains(c.toString(), cxx.toString(), "musl", "glibc", "libstdc++", "libgcc");
    }

    @Test
    void aFileThatIsNotElfFailsTheWholeSbomWithItsName(@TempDir Path dir) throws Exception {
        Path c = Compilers.muslGcc(dir, "c-hello", "int main(void){return 0;}\n", "-static");
        Path script = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\n");

        CliRun run = CliRun.of("inspect", "--sbom", c.toString(), script.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty(); // never half an SBOM
        assertThat(run.stderr()).contains("run.sh").contains("not an ELF").doesNotContain("\tat ");
    }

    @Test
    void sbomOptionsWithoutSbomAreRefused(@TempDir Path dir) throws Exception {
        Path c = Compilers.muslGcc(dir, "c-hello", "int main(void){return 0;}\n", "-static");
        CliRun run = CliRun.of("inspect", "--toolchain-root", "/", c.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("only apply with --sbom");
    }

    /**
     * Two JVMs, the same bytes: an immutable map's iteration order differs from one JVM to the next (its salt), so
     * one test JVM writing twice would never see a property order that depends on it.
     */
    @Test
    void twoProcessesWriteTheSameSbom(@TempDir Path dir) throws Exception {
        Path c = dev.minimalimage.testsupport.Compilers.muslGcc(dir, "hello", "int main(void){return 0;}\n", "-static");
        java.util.Set<String> outputs = new java.util.HashSet<>();
        for (int run = 0; run < 3; run++) {
            MainProcess sbom = MainProcess.run(dir, List.of(), env -> { }, "inspect", "--sbom", c.toString());
            assertThat(sbom.exitCode()).as(sbom.all()).isZero();
            outputs.add(sbom.stdout());
        }
        assertThat(outputs).hasSize(1);
    }
}
