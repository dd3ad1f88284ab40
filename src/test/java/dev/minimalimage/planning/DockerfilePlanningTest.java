package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.Dockerfile.StageSecurity;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.operator.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecurityContext;

/** spec.dockerfile: planned by the operator from the inline Dockerfile, the pod's containers, what is refused. */
class DockerfilePlanningTest {

    static final String EXAMPLE = """
            ARG TOOLCHAIN=gcc
            FROM ${TOOLCHAIN} AS build
            COPY hello.c /
            RUN gcc -static /hello.c -o /hello
            FROM scratch
            COPY --from=build /hello /
            ENTRYPOINT ["/hello"]
            """;

    final BuildPlanner planner = new BuildPlanner(ToolchainImages.DEFAULTS);

    static MinimalImage dockerfile(String text, Map<String, String> buildArgs) {
        MinimalImage resource = Resources.inline("df", Language.Name.C, "registry.example/df:1",
                Map.of("Dockerfile", text, "hello.c", "int main(void){return 0;}\n"));
        resource.getMetadata().setUid("uid-1");
        resource.getSpec().setLanguage(null);
        Dockerfile dockerfile = new Dockerfile();
        dockerfile.setBuildArgs(buildArgs);
        resource.getSpec().setDockerfile(dockerfile);
        return resource;
    }

    @Test
    void eachStageRunsInItsImageAsItsUserAndThePackerBuildsTheRestLockedDown() throws Exception {
        MinimalImage resource = dockerfile(EXAMPLE, Map.of("TOOLCHAIN", "mirror.example/gcc:14"));
        BuildPlan plan = planner.plan(resource);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(resource, plan);

        List<Container> init = pod.getSpec().getInitContainers();
        assertThat(init).extracting(Container::getName).containsExactly(BuilderLayout.RUNTIME_CONTAINER, "stage-0");
        Container stage = init.get(1);
        assertThat(stage.getImage()).isEqualTo("mirror.example/gcc:14");
        assertThat(stage.getCommand()).startsWith(BuilderLayout.runtimeCommand(BuilderLayout.STAGE_RUNTIME_DIR)
                .toArray(String[]::new)).contains("run-stage", "--build-arg=TOOLCHAIN=mirror.example/gcc:14",
                        "--key", "stage-0");
        SecurityContext security = stage.getSecurityContext();
        assertThat(security.getRunAsUser()).as("the image's own user, as docker runs a stage").isNull();
        assertThat(security.getRunAsNonRoot()).isNull();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getReadOnlyRootFilesystem()).isFalse();
        assertThat(stage.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder(
                BuilderLayout.STAGE_RUNTIME_DIR, BuilderLayout.STAGE_CONTEXT, BuilderLayout.HANDOFF_DIR);
        assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).as("said per container").isNull();

        Container packer = pod.getSpec().getContainers().get(0);
        assertThat(packer.getArgs()).startsWith("build", "--dockerfile", BuilderLayout.STAGE_CONTEXT + "/Dockerfile")
                .contains("--handoff", BuilderLayout.HANDOFF_DIR);
        assertThat(packer.getSecurityContext().getRunAsUser()).isEqualTo((long) BuilderLayout.BUILDER_UID);
        assertThat(packer.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(packer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(packer.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(BuilderLayout.HANDOFF_DIR))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());

        MinimalImage otherImage = dockerfile(EXAMPLE, Map.of("TOOLCHAIN", "mirror.example/gcc:15"));
        assertThat(planner.plan(otherImage).inputsHash()).as("a build arg is an input")
                .isNotEqualTo(plan.inputsHash());
    }

    @Test
    void restrictedStagesNeedANumericNonRootUserAndASpecMayOnlyNarrow() throws Exception {
        String nonRoot = "FROM gcc AS build\nUSER 1000:1000\nRUN make\nFROM scratch\nCOPY --from=build /app /app\n";
        MinimalImage restricted = dockerfile(nonRoot, Map.of());
        restricted.getSpec().getDockerfile().setStageSecurity(StageSecurity.RESTRICTED);
        Container stage = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(restricted,
                planner.plan(restricted)).getSpec().getInitContainers().get(1);
        assertThat(stage.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(stage.getSecurityContext().getRunAsNonRoot()).isTrue();

        MinimalImage root = dockerfile(EXAMPLE, Map.of());
        root.getSpec().getDockerfile().setStageSecurity(StageSecurity.RESTRICTED);
        assertThatThrownBy(() -> planner.plan(root)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("stage-0").hasMessageContaining("USER 65532");

        MinimalImage wider = dockerfile(nonRoot, Map.of());
        wider.getSpec().getDockerfile().setStageSecurity(StageSecurity.BASELINE);
        assertThatThrownBy(() -> new BuildPlanner(ToolchainImages.DEFAULTS, StageSecurity.RESTRICTED).plan(wider))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("may only narrow");
    }

    @Test
    void whatTheDockerfileSetsOrCannotBeBuiltIsRefusedBeforeAnyPod() {
        assertThatThrownBy(() -> planner.plan(dockerfile("FROM gcc\nRUN true\n", Map.of())))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("line 1")
                .hasMessageContaining("FROM scratch");
        assertThatThrownBy(() -> planner.plan(dockerfile("FROM scratch\nHEALTHCHECK NONE\n", Map.of())))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("line 2")
                .hasMessageContaining("HEALTHCHECK");
        MinimalImage withPorts = dockerfile(EXAMPLE, Map.of());
        withPorts.getSpec().getImage().setWorkingDir("/srv");
        assertThatThrownBy(() -> planner.plan(withPorts)).hasMessageContaining("spec.image.workingDir")
                .hasMessageContaining("WORKDIR");
        MinimalImage missing = dockerfile(EXAMPLE, Map.of());
        missing.getSpec().getDockerfile().setPath("build/Dockerfile");
        assertThatThrownBy(() -> planner.plan(missing)).hasMessageContaining("build/Dockerfile")
                .hasMessageContaining("no such file");
        MinimalImage both = dockerfile(EXAMPLE, Map.of());
        both.getSpec().setLanguage(new Language());
        assertThatThrownBy(() -> planner.plan(both)).hasMessageContaining("exactly one of spec.language or"
                + " spec.dockerfile");
        MinimalImage allowDynamic = dockerfile(EXAMPLE, Map.of());
        allowDynamic.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.ALLOW_DYNAMIC);
        assertThatThrownBy(() -> planner.plan(allowDynamic)).hasMessageContaining("AllowDynamic");
    }

    /**
     * A git source: the operator cannot read the Dockerfile, so a first pod only fetches and reports it; once it is
     * on record for these source inputs, the build is planned from it at the commit it was read at.
     */
    @Test
    void aGitSourcesDockerfileIsFetchedFirstAndTheBuildPlannedFromItAtItsCommit() throws Exception {
        MinimalImage git = dockerfile(EXAMPLE, Map.of("TOOLCHAIN", "mirror.example/gcc:14"));
        Source.Git source = new Source.Git();
        source.setUrl("https://git.example/app.git");
        source.setRevision("main");
        source.setContextDir("app");
        git.getSpec().getSource().setInline(null);
        git.getSpec().getSource().setGit(source);
        git.getSpec().getImage().setPushSecret("push-creds");

        BuildPlan fetch = planner.plan(git);
        assertThat(fetch.fetchesDockerfile()).isTrue();
        Pod fetchPod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(git, fetch);
        assertThat(fetchPod.getSpec().getInitContainers()).isEmpty();
        assertThat(fetchPod.getSpec().getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo(BuilderLayout.FETCH_CONTAINER);
            assertThat(c.getArgs()).containsSequence("--revision", "main")
                    .containsSequence("--report-dockerfile", "app/Dockerfile");
        });
        assertThat(fetchPod.getSpec().getVolumes()).as("it pushes nothing: no push credentials")
                .noneMatch(v -> v.getSecret() != null && "push-creds".equals(v.getSecret().getSecretName()));

        git.setStatus(new dev.minimalimage.api.v1alpha1.MinimalImageStatus());
        String commit = "0123456789abcdef0123456789abcdef01234567";
        git.getStatus().setDockerfile(new dev.minimalimage.api.v1alpha1.MinimalImageStatus.ResolvedDockerfile(
                fetch.inputsHash(), commit, EXAMPLE));
        BuildPlan build = planner.plan(git);
        assertThat(build.fetchesDockerfile()).isFalse();
        assertThat(build.git().revision()).as("exactly the commit the Dockerfile was read at").isEqualTo(commit);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(git, build);
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(BuilderLayout.FETCH_CONTAINER, BuilderLayout.RUNTIME_CONTAINER, "stage-0");
        assertThat(pod.getSpec().getInitContainers().get(2).getVolumeMounts())
                .filteredOn(m -> m.getMountPath().equals(BuilderLayout.STAGE_CONTEXT)).singleElement()
                .satisfies(m -> {
                    assertThat(m.getSubPath()).isEqualTo("src/app");
                    assertThat(m.getReadOnly()).isTrue();
                });
        assertThat(pod.getSpec().getContainers().get(0).getArgs()).contains("--source-info");

        source.setRevision("v2");
        assertThat(planner.plan(git).fetchesDockerfile()).as("other source inputs: fetched again").isTrue();
    }
}
