package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links in a context resolve inside it, as BuildKit resolves them: a repository's link to a file of the pod (the push
 * credentials' path, say) names the context's own path of that name, never the pod's file.
 */
class BuildContextTest {

    @TempDir
    Path dir;

    @Test
    void aLinkOutOfTheContextNamesTheContextsOwnFile() throws Exception {
        Path context = Files.createDirectories(dir.resolve("context"));
        Path secret = Files.writeString(dir.resolve("secret.json"), "{\"auths\":{}}");
        Files.createSymbolicLink(context.resolve("cfg.json"), secret);
        Files.writeString(context.resolve("app.conf"), "conf");
        Files.createSymbolicLink(context.resolve("conf"), Path.of("app.conf"));
        RootedFs stage = new RootedFs(Files.createDirectories(dir.resolve("stage")));
        DockerfilePlan plan = DockerfilePlanner.plan("FROM scratch\nCOPY cfg.json /\nCOPY conf /etc/conf\n", Map.of(),
                null);
        List<DockerfilePlan.Step> steps = plan.finalStage().steps();
        BuildContext buildContext = BuildContext.of(context);

        assertThatThrownBy(() -> StageFiles.copy(stage, (DockerfilePlan.Copy) steps.get(0), buildContext, null))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("not in the build context");
        assertThat(Files.exists(stage.root().resolve("cfg.json"))).isFalse();
        StageFiles.copy(stage, (DockerfilePlan.Copy) steps.get(1), buildContext, null);
        assertThat(Files.readString(stage.root().resolve("etc/conf"))).as("a link inside the context is followed")
                .isEqualTo("conf");
    }
}
