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

        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .as("the runtime copy held by its hook, then the last stage beside the packer: no hand-over at all")
                .containsExactly(BuilderLayout.RUNTIME_CONTAINER, "stage-0", BuilderLayout.PACKAGE_CONTAINER);
        Container runtime = pod.getSpec().getContainers().get(0);
        assertThat(runtime.getArgs()).containsSequence("--hold", BuilderLayout.RUNTIME_HOLD_FILE);
        assertThat(runtime.getLifecycle().getPostStart().getExec().getCommand())
                .startsWith(BuilderLayout.BUILDER_BUSYBOX, "sh", "-c")
                .anySatisfy(script -> assertThat(script).contains(BuilderLayout.RUNTIME_HOLD_FILE, "rm -f",
                        "-le " + plan.timeoutSeconds() * 100));
        Container stage = pod.getSpec().getContainers().get(1);
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
        assertThat(stage.getCommand()).containsSequence("--exit-code-file", BuilderLayout.COMPILE_EXIT_FILE);
        assertThat(stage.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder(
                BuilderLayout.STAGE_RUNTIME_DIR, BuilderLayout.STAGE_CONTEXT, BuilderLayout.HANDOFF_DIR,
                BuilderLayout.COMPILE_EXIT_DIR);
        assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).as("said per container").isNull();

        Container packer = pod.getSpec().getContainers().get(2);
        assertThat(packer.getArgs()).startsWith("build", "--dockerfile", BuilderLayout.STAGE_CONTEXT + "/Dockerfile")
                .contains("--handoff", BuilderLayout.HANDOFF_DIR)
                .containsSequence("--await-compile", BuilderLayout.COMPILE_EXIT_FILE, "--await-timeout",
                        Long.toString(plan.timeoutSeconds()));
        assertThat(packer.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(BuilderLayout.COMPILE_EXIT_DIR))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(packer.getVolumeMounts()).as("where it unpacks and builds: no stage mounts those")
                .filteredOn(m -> m.getMountPath().equals("/tmp") || m.getMountPath().equals(BuilderLayout.HOME))
                .extracting(m -> m.getName()).hasSize(2).doesNotContainAnyElementsOf(stage.getVolumeMounts().stream()
                        .map(m -> m.getName()).toList());
        var share = BuilderPodFactory.packerResources(new dev.minimalimage.api.v1alpha1.BuildSettings()).getRequests();
        assertThat(packer.getResources().getRequests()).as("beside a stage, the packer's small share").isEqualTo(share);
        assertThat(runtime.getResources().getRequests()).as("the runtime step too: a regular container").isEqualTo(share);
        assertThat(packer.getSecurityContext().getRunAsUser()).isEqualTo((long) BuilderLayout.BUILDER_UID);
        assertThat(packer.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(packer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(packer.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(BuilderLayout.SHARED_HANDOFF_DIR))
                .singleElement().satisfies(m -> {
                    assertThat(m.getReadOnly()).isTrue();
                    assertThat(m.getName()).as("the stages' hand-over").isEqualTo(stage.getVolumeMounts().stream()
                            .filter(s -> s.getMountPath().equals(BuilderLayout.HANDOFF_DIR)).findFirst().orElseThrow()
                            .getName());
                });
        assertThat(packer.getArgs()).as("taken into its own copy, which it reads").containsSequence("--take-root",
                BuilderLayout.SHARED_HANDOFF_DIR + "=" + BuilderLayout.HANDOFF_DIR);
        assertThat(packer.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(BuilderLayout.HANDOFF_DIR))
                .singleElement().satisfies(m -> assertThat(stage.getVolumeMounts()).as("a volume no stage mounts")
                        .noneMatch(s -> s.getName().equals(m.getName())));

        MinimalImage otherImage = dockerfile(EXAMPLE, Map.of("TOOLCHAIN", "mirror.example/gcc:15"));
        assertThat(planner.plan(otherImage).inputsHash()).as("a build arg is an input")
                .isNotEqualTo(plan.inputsHash());
    }

    @Test
    void onlyTheLastStageContainerRunsBesideThePackerAndAScratchOnlyDockerfileHasNone() throws Exception {
        String twoStages = """
                FROM gcc AS deps
                RUN mkdir -p /out && echo data > /out/data
                FROM golang:1.23 AS build
                COPY --from=deps /out/data /data
                RUN go version
                FROM scratch
                COPY --from=build /data /data
                COPY --from=busybox:1.36 /bin/busybox /busybox
                ENTRYPOINT ["/busybox"]
                """;
        MinimalImage resource = dockerfile(twoStages, Map.of());
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(resource, planner.plan(resource));
        List<String> stages = planner.plan(resource).dockerfile().containers().stream().map(c -> c.key()).toList();
        assertThat(stages).as("the plan's containers, in the order they run").hasSize(3);
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .as("before init stages, the runtime copy is an init container too").containsExactly(
                        BuilderLayout.RUNTIME_CONTAINER, stages.get(0), stages.get(1));
        assertThat(pod.getSpec().getInitContainers().get(0).getLifecycle()).isNull();
        assertThat(pod.getSpec().getInitContainers().get(0).getArgs()).doesNotContain("--hold");
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly(stages.get(2), BuilderLayout.PACKAGE_CONTAINER);
        assertThat(pod.getSpec().getInitContainers()).as("init containers end before the next starts: no exit file")
                .allSatisfy(c -> assertThat(String.valueOf(c.getCommand()) + c.getArgs())
                        .doesNotContain("--exit-code-file"));
        assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).contains("compile-exit", "package-handoff")
                .doesNotContain("package-workspace", "package-tmp");

        MinimalImage scratchOnly = dockerfile("FROM scratch\nCOPY hello.c /hello.c\n", Map.of());
        Pod plain = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(scratchOnly, planner.plan(scratchOnly));
        assertThat(plain.getSpec().getInitContainers()).isEmpty();
        assertThat(plain.getSpec().getContainers()).singleElement().satisfies(packer -> {
            assertThat(packer.getName()).isEqualTo(BuilderLayout.PACKAGE_CONTAINER);
            assertThat(packer.getArgs()).as("nothing beside it to wait for").doesNotContain("--await-compile");
        });
    }

    @Test
    void restrictedStagesNeedANumericNonRootUserAndASpecMayOnlyNarrow() throws Exception {
        String nonRoot = "FROM gcc AS build\nUSER 1000:1000\nRUN make\nFROM scratch\nCOPY --from=build /app /app\n";
        MinimalImage restricted = dockerfile(nonRoot, Map.of());
        restricted.getSpec().getDockerfile().setStageSecurity(StageSecurity.RESTRICTED);
        Container stage = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(restricted,
                planner.plan(restricted)).getSpec().getContainers().get(1);
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
                .containsExactly(BuilderLayout.FETCH_CONTAINER);
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly(BuilderLayout.RUNTIME_CONTAINER, "stage-0", BuilderLayout.PACKAGE_CONTAINER);
        assertThat(pod.getSpec().getContainers().get(1).getVolumeMounts())
                .filteredOn(m -> m.getMountPath().equals(BuilderLayout.STAGE_CONTEXT)).singleElement()
                .satisfies(m -> {
                    assertThat(m.getSubPath()).isEqualTo("src/app");
                    assertThat(m.getReadOnly()).isTrue();
                });
        assertThat(pod.getSpec().getContainers().get(2).getArgs()).contains("--source-info");

        source.setRevision("v2");
        assertThat(planner.plan(git).fetchesDockerfile()).as("other source inputs: fetched again").isTrue();
    }
}
