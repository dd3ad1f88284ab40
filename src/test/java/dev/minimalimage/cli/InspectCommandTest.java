package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.testsupport.Processes;

/** `inspect` as a user sees it: JSON fields for machines, clear errors (never a stack trace) for bad files. */
class InspectCommandTest {

    @Test
    void jsonHasTheDocumentedFieldsAndBadFilesGetClearErrors(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc");
        Path source = Files.writeString(dir.resolve("hello.c"), "#include <stdio.h>\nint main(void){puts(\"hi\");}\n");
        Path binary = dir.resolve("hello");
        Processes.run(Duration.ofSeconds(60), List.of("musl-gcc", "-static", "-Os", "-s", "-o", binary.toString(),
                source.toString())).requireSuccess("musl-gcc");

        CliRun json = CliRun.of("inspect", "--json", binary.toString());
        assertThat(json.exitCode()).as(json.all()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.stdout());
        for (String field : List.of("verdict", "interpreter", "needed", "libc", "hazards", "machine")) {
            assertThat(report.has(field)).as(field).isTrue();
        }
        assertThat(report.get("verdict").asText()).isEqualTo("Static");
        assertThat(report.get("libc").asText()).isEqualTo("musl");

        CliRun human = CliRun.of("inspect", binary.toString());
        assertThat(human.stdout()).contains(": Static").contains("libc:        musl");

        byte[] bytes = Files.readAllBytes(binary);
        Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(bytes, 100));
        CliRun broken = CliRun.of("inspect", truncated.toString());
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.stderr()).startsWith("error: ").contains("truncated").doesNotContain("Exception").doesNotContain("\tat ");

        CliRun missing = CliRun.of("inspect", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("nope").doesNotContain("\tat ");
    }
}
