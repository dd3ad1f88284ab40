package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;

/**
 * The examples' conventions, checked without a cluster (ExamplesIT builds every one on the real cluster): the
 * documented substitution leaves complete resources, every image goes to ${REGISTRY} with the push Secret
 * registry-credentials, every git source lives under ${GIT_BASE} with the Secret git-credentials and ships its
 * project, and examples/README.md has a line for each.
 */
class ExamplesTest {

    static final String REGISTRY = "registry.example.com:5000";
    static final String GIT_BASE = "ssh://git@git.example.com/you";

    @Test
    void everyExampleFollowsTheConventionsAndHasAReadmeLine() throws Exception {
        String readme = Files.readString(Examples.ROOT.resolve("README.md"));
        Set<String> names = new HashSet<>();
        assertThat(Examples.folders()).hasSizeGreaterThanOrEqualTo(10).contains("hello-c");
        for (String folder : Examples.folders()) {
            MinimalImage example = Examples.parse(Examples.substituted(folder, REGISTRY, GIT_BASE));
            String name = example.getMetadata().getName();
            assertThat(names.add(name)).as(folder + ": resource name " + name + " used twice").isTrue();
            assertThat(example.getMetadata().getNamespace()).as(folder + " applies to kubectl's namespace").isNull();
            assertThat(example.getSpec().getImage().getName()).as(folder).startsWith(REGISTRY + "/examples/");
            assertThat(example.getSpec().getImage().getPushSecret()).as(folder).isEqualTo(Examples.PUSH_SECRET);
            var git = example.getSpec().getSource().getGit();
            assertThat(git != null).as(folder + ": a git source if and only if a project/ folder")
                    .isEqualTo(Examples.hasProject(folder));
            if (git != null) {
                assertThat(Examples.repositoryName(example, GIT_BASE)).as(folder).isNotBlank();
                assertThat(git.getCredentialsSecret()).as(folder).isEqualTo(Examples.GIT_SECRET);
            }
            assertThat(readme).as("examples/README.md links " + folder)
                    .contains("[" + folder + "](" + folder + "/" + Examples.MANIFEST + ")");
        }
    }

    @Test
    void aScriptsOwnVariablesSurviveTheSubstitution() {
        MinimalImage custom = Examples.parse(Examples.substituted("custom-script", REGISTRY, GIT_BASE));
        assertThat(custom.getSpec().getLanguage().getCustom().getScript()).contains("\"$OUT\"");
        assertThat(custom.getSpec().getLanguage().getCustom().getImage()).startsWith(REGISTRY + "/");
    }
}
