package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;

/** A final stage with many files still gives a result record under 4096 bytes, its dynamic files kept first. */
class FileVerdictsRecordTest {

    @Test
    void manyFilesAreCappedAndTheDynamicOnesKept() throws Exception {
        List<BuildResult.FileVerdict> files = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            files.add(new BuildResult.FileVerdict("/usr/share/assets/" + "deep/".repeat(10) + "file-" + i + ".png",
                    "NotElf", null));
        }
        files.add(new BuildResult.FileVerdict("/app/server", "Dynamic", List.of("libc.so.6", "libssl.so.3")));
        BuildResult result = BuildResult.failure(ResultReason.DynamicDependency, "/app/server is dynamically linked",
                null).withFiles(files);
        byte[] json = result.toJsonBytes();
        assertThat(json.length).isLessThanOrEqualTo(BuildResult.MAX_BYTES);
        BuildResult read = BuildResult.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(read.filesCapped()).isTrue();
        assertThat(read.files().get(0).path()).isEqualTo("/app/server");
        assertThat(read.files().get(0).needed()).containsExactly("libc.so.6", "libssl.so.3");
    }

    @Test
    void aFewFilesAreKeptWhole() throws Exception {
        BuildResult result = BuildResult.success("oci:/x:latest", "sha256:00", 1, 2, 3, null).withFiles(List.of(
                new BuildResult.FileVerdict("/hello", "Static", null),
                new BuildResult.FileVerdict("/etc/app.conf", "NotElf", null)));
        BuildResult read = BuildResult.parse(result.toJson());
        assertThat(read.files()).hasSize(2);
        assertThat(read.filesCapped()).isNull();
    }
}
