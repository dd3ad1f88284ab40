package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hand-over between containers that run as different users: readable by all, the stage's modes restored. */
class HandoffTest {

    @TempDir
    Path dir;

    @Test
    void theStagesModesComeBackAndLinksAreFollowedAsCopyFollowsThem() throws Exception {
        Path stage = Files.createDirectories(dir.resolve("stage"));
        Files.createDirectories(stage.resolve("usr/lib"));
        Files.createSymbolicLink(stage.resolve("lib"), Path.of("usr/lib"));
        Files.writeString(stage.resolve("usr/lib/secret.so"), "library");
        Files.setAttribute(stage.resolve("usr/lib/secret.so"), "unix:mode", 0700);
        Files.createDirectories(stage.resolve("out/share"));
        Files.writeString(stage.resolve("out/app"), "program");
        Files.setAttribute(stage.resolve("out/app"), "unix:mode", 0750);
        Files.createSymbolicLink(stage.resolve("out/share/link"), Path.of("../app"));
        Files.setAttribute(stage.resolve("out/share"), "unix:mode", 0700);

        Path handoff = dir.resolve("handoff/stage-0");
        Handoff.write(new RootedFs(stage), List.of("/lib/secret.so", "/out", "out/app"), handoff);
        Path handed = handoff.resolve("root");
        assertThat(Files.isRegularFile(handed.resolve("lib/secret.so"))).as("at the path the Dockerfile names")
                .isTrue();
        assertThat(mode(handed.resolve("lib/secret.so"))).as("readable by the next container's user")
                .isEqualTo(0744);
        assertThat(mode(handed.resolve("out/share"))).isEqualTo(0755);
        assertThat(Files.readSymbolicLink(handed.resolve("out/share/link"))).hasToString("../app");

        RootedFs copy = Handoff.materialize(handoff, dir.resolve("copy"));
        assertThat(mode(copy.root().resolve("lib/secret.so"))).isEqualTo(0700);
        assertThat(mode(copy.root().resolve("out/app"))).isEqualTo(0750);
        assertThat(mode(copy.root().resolve("out/share"))).isEqualTo(0700);
        assertThat(Files.readString(copy.root().resolve("out/app"))).isEqualTo("program");
    }

    @Test
    void aPathTheStageDoesNotHaveIsNamed() throws Exception {
        Path stage = Files.createDirectories(dir.resolve("stage"));
        assertThatThrownBy(() -> Handoff.write(new RootedFs(stage), List.of("/hello"), dir.resolve("h")))
                .isInstanceOf(Handoff.MissingPathException.class).hasMessage("/hello");
        assertThatThrownBy(() -> Handoff.materialize(dir.resolve("nothing"), dir.resolve("c")))
                .hasMessageContaining("did not finish");
    }

    /** A directory and a file inside it, named in either order; a read-only directory; the pod's mounts refused. */
    @Test
    void aDirectoryHandedOnWithAFileInsideItIsWholeAndReadOnlyDirectoriesComeThrough() throws Exception {
        Path stage = Files.createDirectories(dir.resolve("stage"));
        Files.createDirectories(stage.resolve("out/bin"));
        Files.writeString(stage.resolve("out/bin/tool"), "tool");
        Files.writeString(stage.resolve("out/README"), "readme");
        Files.setAttribute(stage.resolve("out/bin"), "unix:mode", 0555);
        Path handoff = dir.resolve("handoff/stage-1");
        Handoff.write(new RootedFs(stage), List.of("/out/bin/tool", "/out"), handoff);
        RootedFs copy = Handoff.materialize(handoff, dir.resolve("copy"));
        assertThat(Files.readString(copy.root().resolve("out/README"))).isEqualTo("readme");
        assertThat(Files.readString(copy.root().resolve("out/bin/tool"))).isEqualTo("tool");
        assertThat(mode(copy.root().resolve("out/bin"))).isEqualTo(0555);
        assertThatThrownBy(() -> Handoff.write(new RootedFs(stage), List.of("/proc/self/environ"),
                dir.resolve("h2"))).isInstanceOf(Handoff.MissingPathException.class)
                .hasMessageContaining("the container's own mounts");
    }

    static int mode(Path path) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
    }
}
