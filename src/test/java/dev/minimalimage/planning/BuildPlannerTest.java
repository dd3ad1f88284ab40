package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.BuildCache;
import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.CaBundle;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.image.ImageSettings;
import dev.minimalimage.image.Provenance;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.testsupport.PodSteps;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;

class BuildPlannerTest {

    final BuildPlanner planner = new BuildPlanner(ToolchainImages.DEFAULTS);

    @Test
    void sameInputsSamePodNameAndRetentionDoesNotCount() throws Exception {
        MinimalImage a = Resources.helloC("app", "registry.example/app:1");
        MinimalImage b = Resources.helloC("app", "registry.example/app:1");
        b.getSpec().getBuild().setKeepFinishedPods(7);
        assertThat(planner.plan(a).podName()).isEqualTo(planner.plan(b).podName()).matches("app-build-[0-9a-f]{10}");
        b.getSpec().getImage().setName("registry.example/app:2");
        assertThat(planner.plan(b).inputsHash()).isNotEqualTo(planner.plan(a).inputsHash());
        ToolchainImages mirror = new ToolchainImages("m/builder", "m/musl", "m/gcc", "m/gcc", "m/go", "m/rust");
        assertThat(new BuildPlanner(mirror).plan(a).inputsHash()).isNotEqualTo(planner.plan(a).inputsHash());
    }

    @Test
    void anotherPresetsImageNeverRenamesTheBuild() throws Exception {
        MinimalImage c = Resources.helloC("app", "registry.example/app:1");
        ToolchainImages d = ToolchainImages.DEFAULTS;
        ToolchainImages otherGoAndRust = new ToolchainImages(d.builder(), d.cMusl(), d.cGlibc(), d.cpp(), "m/go", "m/rust");
        assertThat(new BuildPlanner(otherGoAndRust).plan(c).podName()).isEqualTo(planner.plan(c).podName());
        ToolchainImages otherBuilder = new ToolchainImages("m/builder", d.cMusl(), d.cGlibc(), d.cpp(), d.go(), d.rust());
        // an operator upgrade brings a new builder image tag: unless the packer's output format moved, nothing rebuilds
        assertThat(new BuildPlanner(otherBuilder).plan(c).podName()).isEqualTo(planner.plan(c).podName());
    }

    @Test
    void longNamesStayWithinKubernetesLimits() throws Exception {
        MinimalImage long_ = Resources.helloC("x".repeat(250), "registry.example/app:1");
        BuildPlan plan = planner.plan(long_);
        assertThat(plan.podName()).hasSizeLessThanOrEqualTo(63);
        assertThat(plan.sourceConfigMapName()).hasSizeLessThanOrEqualTo(63);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(withUid(long_), plan);
        assertThat(pod.getMetadata().getLabels().values()).allMatch(v -> v.length() <= 63);
    }

    @Test
    void twoLongNamesSharingAPrefixNeverShareAPodOrAConfigMap() throws Exception {
        String prefix = "a".repeat(240);
        BuildPlan one = planner.plan(Resources.helloC(prefix + "-one", "registry.example/app:1"));
        BuildPlan two = planner.plan(Resources.helloC(prefix + "-two", "registry.example/app:1"));
        assertThat(one.inputsHash()).isEqualTo(two.inputsHash()); // the same spec
        assertThat(one.podName()).isNotEqualTo(two.podName()).hasSizeLessThanOrEqualTo(63)
                .matches("a+-[0-9a-f]{8}-build-" + one.inputsHash());
        assertThat(one.sourceConfigMapName()).isNotEqualTo(two.sourceConfigMapName()).hasSizeLessThanOrEqualTo(63)
                .endsWith("-src-" + one.inputsHash());
        // short names stay as they are, plus the inputs hash (an edit of the files is a new, immutable ConfigMap)
        BuildPlan app = planner.plan(Resources.helloC("app", "registry.example/app:1"));
        assertThat(app.sourceConfigMapName()).isEqualTo("app-src-" + app.inputsHash());
    }

    @Test
    void packageStepGetsTheImageSettingsAsOneJsonDocument() throws Exception {
        MinimalImage app = Resources.helloC("app", "registry.example/app:1");
        app.getSpec().getImage().setArgs(List.of("--serve", "ünï"));
        app.getSpec().getImage().setEnv(List.of(new LiteralEnvVar("MODE", "prod")));
        app.getSpec().getImage().setPushSecret("creds");
        app.getSpec().getImage().getExtras().setPasswd(true);
        List<String> args = planner.plan(app).packageArgs();
        assertThat(String.join(" ", args)).startsWith("package /workspace/out/app --image registry.example/app:1")
                .contains("--insecure").contains("--docker-config /var/run/secrets/minimal-image/registry/config.json")
                .contains("--result-file /dev/termination-log").doesNotContain("--arg").doesNotContain("--source-info");
        String json = args.get(args.indexOf("--image-config") + 1);
        assertThat(json).startsWith("{").matches("\\p{ASCII}*"); // \\u escapes: no argv charset can garble it
        ImageSettings settings = ImageSettings.parse(json);
        assertThat(settings.path()).isEqualTo("/app/app");
        assertThat(settings.args()).containsExactly("--serve", "ünï");
        assertThat(settings.env()).containsExactly(new ImageSettings.Env("MODE", "prod"));
        assertThat(settings.extras()).isEqualTo(new ImageSettings.Extras(false, true, false, false));
    }

    @Test
    void everyDollarInAContainerArgIsEscapedForTheKubelet() throws Exception {
        MinimalImage app = gitSource("registry.example/app:1");
        app.getSpec().getSource().getGit().setRevision("v$(HOME)");
        app.getSpec().getImage().setArgs(List.of("$(HOME)", "$$"));
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(withUid(app), planner.plan(app));
        assertThat(PodSteps.step(pod, "fetch").getArgs()).contains("--revision", "v$$(HOME)");
        assertThat(PodSteps.step(pod, "fetch").getEnv()).as("a short JVM run; JGit's config in the step's own HOME")
                .contains(new EnvVar("JAVA_TOOL_OPTIONS", String.join(" ", BuilderLayout.SHORT_RUN_JAVA_OPTIONS), null),
                        new EnvVar("XDG_CONFIG_HOME", BuilderLayout.HOME + "/.config", null));
        String json = PodSteps.step(pod, "package").getArgs().stream().filter(a -> a.startsWith("{"))
                .findFirst().orElseThrow();
        assertThat(json).contains("[\"$$(HOME)\",\"$$$$\"]");
    }

    @Test
    void inlineFilesGetAStableRevisionAndTheEpoch() throws Exception {
        Map<String, String> files = Map.of("main.c", "int main(void){return 0;}\n", "a.h", "");
        Map<String, String> annotations = annotations(Resources.inline("one", Language.Name.C, "r.example/a:1", files));
        assertThat(annotations).containsEntry(Provenance.CREATED, "1970-01-01T00:00:00Z")
                .doesNotContainKey(Provenance.SOURCE);
        assertThat(annotations.get(Provenance.REVISION)).matches("sha256:[0-9a-f]{64}");
        MinimalImage other = Resources.inline("other-name", Language.Name.C, "r.example/b:2", new TreeMap<>(files));
        assertThat(annotations(other)).isEqualTo(annotations);
        other.getSpec().getSource().getInline().getFiles().put("a.h", "#define X\n");
        assertThat(annotations(other).get(Provenance.REVISION)).isNotEqualTo(annotations.get(Provenance.REVISION));
        // length prefixes: moving bytes between a path and its content gives another revision
        assertThat(annotations(Resources.inline("x", Language.Name.C, "r.example/a:1", Map.of("ab", "c"))))
                .isNotEqualTo(annotations(Resources.inline("x", Language.Name.C, "r.example/a:1", Map.of("a", "bc"))));
    }

    private Map<String, String> annotations(MinimalImage resource) throws InvalidSpecException {
        List<String> args = planner.plan(resource).packageArgs();
        return ImageSettings.parse(args.get(args.indexOf("--image-config") + 1)).annotations();
    }

    @Test
    void gitSourcesGetAFetchStepAndUnsafePathsAreRejected() throws Exception {
        MinimalImage git = gitSource("registry.example/git:1");
        Source.Git repo = git.getSpec().getSource().getGit();
        repo.setRevision("v1.2");
        repo.setContextDir("cmd/hello");
        BuildPlan plan = planner.plan(git);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(withUid(git), plan);
        // the fetch step beside the others, not an init container (no kubelet hand-over): compile waits for its code
        assertThat(pod.getSpec().getInitContainers()).isEmpty();
        assertThat(pod.getSpec().getContainers()).extracting("name").containsExactly("fetch", "compile", "package");
        assertThat(String.join(" ", PodSteps.step(pod, "fetch").getArgs())).contains("--revision v1.2")
                .contains("--source-info /provenance/source-info.json")
                .contains("--source-date-epoch-file /provenance/source-date-epoch")
                .contains("--exit-code-file " + BuilderLayout.FETCH_EXIT_FILE);
        assertThat(PodSteps.step(pod, "compile").getCommand().get(2)).contains(BuilderLayout.FETCH_EXIT_FILE);
        // the packer warms up only once the fetch (the critical path while it runs) has ended
        assertThat(PodSteps.step(pod, "package").getArgs()).containsSequence("--warm-up-after", BuilderLayout.FETCH_EXIT_FILE);
        // its requests add up with the others': a packer's share, not the build's
        assertThat(PodSteps.step(pod, "fetch").getResources()).isEqualTo(PodSteps.step(pod, "package").getResources());
        // its /tmp (where the ssh key copy lives while it runs) is its own, not the build's
        String fetchTmp = PodSteps.step(pod, "fetch").getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow().getName();
        assertThat(PodSteps.step(pod, "compile").getVolumeMounts()).noneMatch(m -> m.getName().equals(fetchTmp));
        assertThat(PodSteps.step(pod, "package").getVolumeMounts()).noneMatch(m -> m.getName().equals(fetchTmp));
        // the package step annotates from what fetch wrote; the planner knows no commit
        assertThat(String.join(" ", PodSteps.step(pod, "package").getArgs()))
                .contains("--source-info /provenance/source-info.json").doesNotContain(Provenance.REVISION);
        // only the fetch step may write the provenance: the compile step runs the project's own scripts
        assertThat(PodSteps.step(pod, "fetch").getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath() + " ro=" + m.getReadOnly()).isEqualTo("/provenance ro=false"));
        assertThat(PodSteps.step(pod, "compile").getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath() + " ro=" + m.getReadOnly()).isEqualTo("/provenance ro=true"));
        assertThat(PodSteps.step(pod, "package").getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath() + " ro=" + m.getReadOnly()).isEqualTo("/provenance ro=true"));
        assertThat(PodSteps.step(pod, "compile").getEnv())
                .contains(new EnvVar("SRC", "/workspace/src", null), new EnvVar("CONTEXT_DIR", "cmd/hello", null))
                .noneMatch(e -> e.getName().equals("SOURCE_FILES"));

        repo.setContextDir("../etc");
        assertThatThrownBy(() -> planner.plan(git)).isInstanceOf(InvalidSpecException.class).hasMessageContaining("..");
        repo.setContextDir(null);
        repo.setUrl("file:///etc");
        assertThatThrownBy(() -> planner.plan(git)).hasMessageContaining("https or ssh");
        git.getSpec().getSource().setInline(new Source.Inline());
        assertThatThrownBy(() -> planner.plan(git)).hasMessageContaining("exactly one");
    }

    @Test
    void inlineFilesKeepTheirDirectoriesThroughConfigMapItems() throws Exception {
        MinimalImage app = Resources.inline("app", Language.Name.C, "registry.example/app:1",
                Map.of("src/main.c", "x", "include/a.h", "y"));
        BuildPlan plan = planner.plan(app);
        assertThat(InlineSourceFiles.configMapData(plan.inlineFiles())).containsOnlyKeys("f0", "f1");
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(withUid(app), plan);
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getConfigMap() != null).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getItems()).extracting("path")
                        .containsExactly("include/a.h", "src/main.c"));
        // the compile step copies exactly these files, never the volume's ..data / ..TIMESTAMP entries
        assertThat(PodSteps.step(pod, "compile").getEnv())
                .contains(new EnvVar("SOURCE_FILES", "include/a.h\nsrc/main.c", null));
    }

    @Test
    void presetsDefaultToTheSmallestStaticBuild() throws Exception {
        Language go = new Language();
        go.setName(Language.Name.GO);
        CompileStep step = LanguagePresets.compileStep(go, ToolchainImages.DEFAULTS);
        assertThat(step.script()).contains("cgo=0").contains("CGO_ENABLED=\"${CGO_ENABLED:-$cgo}\"")
                .contains("-trimpath").contains("-buildvcs=false");
        assertThat(step.env()).containsEntry("GO_LDFLAGS", "-s -w").containsEntry("PRESET", "go")
                .containsEntry("LINKING", "static");
        assertThat(step.stagesBundle()).isFalse();
        Language custom = new Language();
        custom.setName(Language.Name.CUSTOM);
        assertThatThrownBy(() -> LanguagePresets.compileStep(custom, ToolchainImages.DEFAULTS))
                .hasMessageContaining("language.custom.image");
    }

    private static MinimalImage gitSource(String imageName) {
        MinimalImage git = Resources.helloC("git", imageName);
        Source.Git repo = new Source.Git();
        repo.setUrl("https://example.org/repo.git");
        git.getSpec().getSource().setInline(null);
        git.getSpec().getSource().setGit(repo);
        return git;
    }

    static MinimalImage withUid(MinimalImage resource) {
        resource.getMetadata().setUid("uid-1");
        resource.getMetadata().setNamespace("ns");
        return resource;
    }

    @Test
    void languageEnvIsLiteralAndNeverSetsWhatTheBuilderOwns() throws Exception {
        MinimalImage app = withUid(Resources.helloC("app", "registry.example/app:1"));
        app.getSpec().getLanguage().setEnv(List.of(new LiteralEnvVar("CFLAGS", "-DX=$(HOME)")));
        assertThat(planner.plan(app).compile().env()).containsEntry("CFLAGS", "-DX=$(HOME)");

        for (String owned : List.of("OUT", "SRC", "PATH", "HOME", "SOURCE_DATE_EPOCH", "RUSTFLAGS", "CACHE_DIR")) {
            app.getSpec().getLanguage().setEnv(List.of(new LiteralEnvVar(owned, "x")));
            assertThatThrownBy(() -> planner.plan(app)).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("spec.language.env must not set " + owned);
        }
        LiteralEnvVar fromSecret = new LiteralEnvVar("TOKEN", null);
        fromSecret.setValueFrom(Map.of("secretKeyRef", Map.of("name", "s", "key", "k")));
        app.getSpec().getLanguage().setEnv(List.of(fromSecret));
        assertThatThrownBy(() -> planner.plan(app)).hasMessageContaining("valueFrom is not supported");
        app.getSpec().getLanguage().setEnv(List.of());
        app.getSpec().getImage().setEnv(List.of(fromSecret));
        assertThatThrownBy(() -> planner.plan(app)).hasMessageContaining("spec.image.env TOKEN: valueFrom is not");
    }

    @Test
    void buildCacheIsMountedIntoTheCompileStepOnlyInADirectoryPerToolchainImage() throws Exception {
        MinimalImage app = withUid(Resources.helloC("app", "registry.example/app:1"));
        String before = planner.plan(app).inputsHash();
        app.getSpec().setBuild(new BuildSettings());
        BuildCache cache = new BuildCache();
        cache.setClaimName("build-cache");
        app.getSpec().getBuild().setCache(cache);
        BuildPlan plan = planner.plan(app);
        assertThat(plan.inputsHash()).as("a cache does not change the image").isEqualTo(before);

        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(app, plan);
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .extracting(v -> v.getPersistentVolumeClaim().getClaimName()).containsExactly("build-cache");
        var compile = PodSteps.step(pod, "compile");
        assertThat(compile.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/cache"));
        assertThat(compile.getEnv()).contains(new EnvVar("CACHE_DIR",
                BuildCaches.directory(ToolchainImages.DEFAULTS.cMusl()), null));
        assertThat(BuildCaches.directory(ToolchainImages.DEFAULTS.cMusl()))
                .isNotEqualTo(BuildCaches.directory(ToolchainImages.DEFAULTS.cGlibc())).startsWith("/cache/");
        assertThat(PodSteps.step(pod, "package").getVolumeMounts())
                .noneSatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/cache"));
    }

    @Test
    void aGitUrlCarryingCredentialsIsRefusedWithoutRepeatingThem() {
        for (String url : List.of("https://oauth2:glpat-secret@gitlab.example/x.git", "https://secret@host/x.git",
                "ssh://git:secret@host/x.git", "https://host/x.git?private_token=secret")) {
            MinimalImage git = withUid(gitSource("registry.example/git:1"));
            git.getSpec().getSource().getGit().setUrl(url);
            assertThatThrownBy(() -> planner.plan(git)).as(url).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("must not carry credentials").hasMessageNotContaining("secret");
        }
        for (String url : List.of("ssh://git@host:2222/x.git", "git@github.com:org/x.git", "https://host/x.git")) {
            MinimalImage git = withUid(gitSource("registry.example/git:1"));
            git.getSpec().getSource().getGit().setUrl(url);
            assertThat(git).as(url).satisfies(g -> planner.plan(g));
        }
    }

    /** The packer beside the compile step adds to the pod's requests: it asks for little, within the spec's limits. */
    @Test
    void thePackerRequestsLittleBesideTheCompileStepAndKeepsWithinTheSpecsLimits() throws Exception {
        MinimalImage app = withUid(Resources.helloC("app", "registry.example/app:1"));
        app.getSpec().getBuild().setResources(null);
        Pod plain = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(app, planner.plan(app));
        assertThat(PodSteps.step(plain, "compile").getResources()).isEqualTo(BuilderPodFactory.DEFAULT_RESOURCES);
        assertThat(PodSteps.step(plain, "package").getResources().getRequests())
                .isEqualTo(BuilderPodFactory.PACKER_REQUESTS);
        assertThat(PodSteps.step(plain, "package").getResources().getLimits()).isNullOrEmpty();
        assertThat(PodSteps.step(plain, "package").getEnv()).as("a JVM beside the compiler: C1 only")
                .contains(new EnvVar("JAVA_TOOL_OPTIONS", String.join(" ", BuilderLayout.SHORT_RUN_JAVA_OPTIONS), null));
        assertThat(PodSteps.step(plain, "compile").getEnv()).as("the project's build gets no JVM options of ours")
                .extracting(EnvVar::getName).doesNotContain("JAVA_TOOL_OPTIONS");

        app.getSpec().getBuild().setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("2"))
                .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("4"))
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("64Mi")).build());
        Pod limited = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(app, planner.plan(app));
        assertThat(PodSteps.step(limited, "compile").getResources()).isEqualTo(app.getSpec().getBuild().getResources());
        var packer = PodSteps.step(limited, "package").getResources();
        assertThat(packer.getLimits()).isEqualTo(app.getSpec().getBuild().getResources().getLimits());
        assertThat(packer.getRequests().get("cpu").toString()).isEqualTo("100m");
        assertThat(packer.getRequests().get("memory").toString()).as("never above its limit").isEqualTo("64Mi");
    }

    @Test
    void eachStepHasAHomeNoOtherStepMountsAndBuildersRequestResources() throws Exception {
        MinimalImage git = withUid(gitSource("registry.example/git:1"));
        git.getSpec().getBuild().setResources(null);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(git, planner.plan(git));
        List<io.fabric8.kubernetes.api.model.Container> steps = new java.util.ArrayList<>(pod.getSpec().getInitContainers());
        steps.addAll(pod.getSpec().getContainers());
        List<String> homeVolumes = steps.stream().map(c -> {
            assertThat(c.getEnv()).contains(new EnvVar("HOME", BuilderLayout.HOME, null));
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(BuilderLayout.HOME))
                    .map(m -> m.getName()).findFirst().orElseThrow();
        }).toList();
        assertThat(homeVolumes).containsExactly("home-fetch", "home-compile", "home-package");
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> homeVolumes.contains(v.getName()))
                .allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull()).hasSize(3);
    }

    // ---- pull secrets, CA bundle, attempts, and the inputs hash an upgrade must not move

    @Test
    void operatorAndResourcePullSecretsAreMergedOperatorsFirstWithoutDuplicates() throws Exception {
        MinimalImage app = withUid(Resources.helloC("app", "registry.example/app:1"));
        app.getSpec().getBuild().setImagePullSecrets(List.of(new dev.minimalimage.api.v1alpha1.PullSecretReference("team-mirror"),
                new dev.minimalimage.api.v1alpha1.PullSecretReference("shared-mirror"),
                new dev.minimalimage.api.v1alpha1.PullSecretReference("team-mirror")));
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS, List.of("shared-mirror", "operator-mirror"), null)
                .create(app, planner.plan(app));
        assertThat(pod.getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("shared-mirror", "operator-mirror", "team-mirror");
        Pod none = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(withUid(Resources.helloC("b",
                "registry.example/b:1")), planner.plan(Resources.helloC("b", "registry.example/b:1")));
        assertThat(none.getSpec().getImagePullSecrets()).isEmpty();
    }

    @Test
    void aCaBundleIsMountedReadOnlyIntoFetchAndPackageOnlyAndTheSpecWins() throws Exception {
        MinimalImage git = withUid(gitSource("registry.example/git:1"));
        CaBundle operatorWide = new CaBundle("operator-ca", "bundle.pem");
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS, List.of(), operatorWide).create(git, planner.plan(git));
        assertCaBundle(pod, "operator-ca", "bundle.pem");

        CaBundle own = new CaBundle();
        own.setConfigMap("team-ca"); // key defaults to ca.crt
        git.getSpec().getBuild().setCaBundle(own);
        assertCaBundle(new BuilderPodFactory(ToolchainImages.DEFAULTS, List.of(), operatorWide)
                .create(git, planner.plan(git)), "team-ca", "ca.crt");
        assertCaBundle(new BuilderPodFactory(ToolchainImages.DEFAULTS).create(git, planner.plan(git)), "team-ca",
                "ca.crt");

        git.getSpec().getBuild().setCaBundle(null);
        Pod without = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(git, planner.plan(git));
        assertThat(without.getSpec().getVolumes()).noneMatch(v -> v.getName().equals("ca-bundle"));
        assertThat(String.join(" ", PodSteps.step(without, "fetch").getArgs()))
                .doesNotContain("--ca-bundle");
    }

    private static void assertCaBundle(Pod pod, String configMap, String key) {
        Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null
                && configMap.equals(v.getConfigMap().getName())).findFirst().orElseThrow();
        assertThat(volume.getConfigMap().getItems()).singleElement()
                .satisfies(item -> assertThat(item.getKey() + " -> " + item.getPath()).isEqualTo(key + " -> ca.crt"));
        Map<String, Container> steps = new TreeMap<>();
        pod.getSpec().getInitContainers().forEach(c -> steps.put(c.getName(), c));
        pod.getSpec().getContainers().forEach(c -> steps.put(c.getName(), c));
        assertThat(steps).containsOnlyKeys("fetch", "compile", "package");
        for (String step : List.of("fetch", "package")) {
            assertThat(steps.get(step).getVolumeMounts()).as(step).filteredOn(m -> m.getName().equals(volume.getName()))
                    .singleElement().satisfies(m -> {
                        assertThat(m.getMountPath()).isEqualTo("/etc/minimal-image/ca");
                        assertThat(m.getReadOnly()).isTrue();
                    });
            assertThat(String.join(" ", steps.get(step).getArgs())).as(step)
                    .contains("--ca-bundle /etc/minimal-image/ca/ca.crt");
        }
        assertThat(steps.get("compile").getVolumeMounts()).as("the compile step runs the project's own scripts")
                .noneMatch(m -> m.getName().equals(volume.getName()));
        assertThat(String.join(" ", steps.get("compile").getCommand())).doesNotContain("--ca-bundle");
    }

    @Test
    void aRetryPodIsNamedAfterTheFirstWithItsAttemptAndStaysWithin63Characters() throws Exception {
        MinimalImage app = withUid(Resources.helloC("app", "registry.example/app:1"));
        BuildPlan plan = planner.plan(app);
        assertThat(plan.podName(2)).isEqualTo(plan.podName(1) + "-2").isEqualTo(plan.podName() + "-2");
        Pod second = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(app, plan, 2);
        assertThat(second.getMetadata().getName()).isEqualTo(plan.podName(1) + "-2");

        BuildPlan longPlan = planner.plan(withUid(Resources.helloC("y".repeat(253), "registry.example/app:1")));
        for (int attempt = 1; attempt <= 12; attempt++) {
            assertThat(longPlan.podName(attempt)).hasSizeLessThanOrEqualTo(63).endsWith(longPlan.inputsHash()
                    + (attempt == 1 ? "" : "-" + attempt));
        }
        assertThat(longPlan.podName(2)).isNotEqualTo(longPlan.podName(1));
    }

    /**
     * Pinned: the previous release computed these hashes for the same specs. A change here renames every builder
     * pod and rebuilds every unchanged resource after an operator upgrade. Changed on purpose once for
     * OUTPUT_FORMAT_VERSION 2 (gzip level by layer size): 1e8c1eae35 and ff4361d8b2 under version 1.
     */
    @Test
    void theInputsHashOfAnUnchangedSpecIsWhatThePreviousReleaseComputed() throws Exception {
        MinimalImage inline = Resources.helloC("a", "registry.example/a:1");
        inline.getMetadata().setNamespace("ns");
        assertThat(planner.plan(inline).inputsHash()).isEqualTo("6e5a4c31d6");

        MinimalImage git = Resources.helloC("a", "registry.example/a:1");
        git.getMetadata().setNamespace("ns");
        Source.Git repo = new Source.Git();
        repo.setUrl("https://example.org/x.git");
        repo.setRevision("main");
        git.getSpec().getSource().setInline(null);
        git.getSpec().getSource().setGit(repo);
        // recomputed with the previous release's BuildInputs (77d0cd5: schema 2, no rebuild key, Source.Git without
        // pollInterval), the same reconstruction that yields the hash above
        assertThat(planner.plan(git).inputsHash()).isEqualTo("a547da38aa");
    }

    @Test
    void rebuildAndATrackedCommitAreInputsAPollIntervalAloneIsNot() throws Exception {
        MinimalImage git = withUid(gitSource("registry.example/git:1"));
        git.getSpec().getSource().getGit().setRevision("main");
        String plain = planner.plan(git).inputsHash();

        git.getSpec().setRebuild("2026-11-30");
        assertThat(planner.plan(git).inputsHash()).as("spec.rebuild").isNotEqualTo(plain);
        git.getSpec().setRebuild(null);

        git.getSpec().getSource().getGit().setPollInterval("5m");
        assertThat(planner.plan(git).inputsHash()).as("pollInterval alone").isEqualTo(plain);

        String head = "0123456789abcdef0123456789abcdef01234567";
        MinimalImageStatus status = new MinimalImageStatus();
        status.setTrackedCommit(head);
        git.setStatus(status);
        BuildPlan tracked = planner.plan(git);
        assertThat(tracked.inputsHash()).as("the followed branch's head").isNotEqualTo(plain);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(git, tracked);
        List<String> fetchArgs = PodSteps.step(pod, "fetch").getArgs();
        assertThat(fetchArgs.get(fetchArgs.indexOf("--revision") + 1)).isEqualTo(head);

        git.getSpec().getSource().getGit().setPollInterval(null); // not following: a stale head is ignored
        assertThat(planner.plan(git).inputsHash()).isEqualTo(plain);
    }

    @Test
    void aDebugTagAsksThePackageStepForTheTwinAndIsABuildInput() throws Exception {
        MinimalImage plain = Resources.helloC("app", "registry.example/app:1");
        MinimalImage twin = Resources.helloC("app", "registry.example/app:1");
        twin.getSpec().getImage().setDebugTag("1-debug");
        BuildPlan plan = planner.plan(twin);
        assertThat(plan.packageArgs()).containsSequence("--debug-tag", "1-debug");
        assertThat(planner.plan(plain).packageArgs()).doesNotContain("--debug-tag");
        assertThat(plan.inputsHash()).as("adding a twin pushes one: a new build").isNotEqualTo(
                planner.plan(plain).inputsHash());
    }

    @Test
    void bundleModeLinksDynamicallyAndCopiesMinimalImageIntoThePodForTheCompileStep() throws Exception {
        MinimalImage plain = withUid(Resources.helloC("app", "registry.example/app:1"));
        MinimalImage bundled = withUid(Resources.helloC("app", "registry.example/app:1"));
        bundled.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.BUNDLE);
        bundled.getSpec().getVerify().setExtraLibraries(List.of("libgcc_s.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"));
        BuildPlan plan = planner.plan(bundled);
        Pod pod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(bundled, plan);

        assertThat(plan.inputsHash()).isNotEqualTo(planner.plan(plain).inputsHash());
        assertThat(plan.packageArgs()).containsSequence("--bundle", "--bundle-root", BuilderLayout.BUNDLE_ROOT)
                .contains("--extra-library=libgcc_s.so.1", "--extra-library=/usr/lib/x86_64-linux-gnu/libz.so.1");
        assertThat(PodSteps.names(pod)).containsExactly(BuilderLayout.RUNTIME_CONTAINER,
                BuilderLayout.COMPILE_CONTAINER, BuilderLayout.PACKAGE_CONTAINER);
        assertThat(pod.getSpec().getInitContainers()).as("the copy held by its hook: the compile step starts the"
                + " moment it is complete, no relist").isEmpty();
        Container runtime = PodSteps.step(pod, BuilderLayout.RUNTIME_CONTAINER);
        assertThat(runtime.getImage()).isEqualTo(ToolchainImages.DEFAULTS.builder());
        assertThat(runtime.getArgs()).containsExactly("stage-runtime", "--to", BuilderLayout.RUNTIME_DIR, "--hold",
                BuilderLayout.RUNTIME_HOLD_FILE);
        assertThat(runtime.getLifecycle().getPostStart().getExec().getCommand()).startsWith(
                BuilderLayout.BUILDER_BUSYBOX, "sh", "-c");
        assertThat(runtime.getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactlyInAnyOrder(BuilderLayout.RUNTIME_DIR, "/tmp", BuilderLayout.HOME);
        Container compile = PodSteps.step(pod, BuilderLayout.COMPILE_CONTAINER);
        assertThat(compile.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(BuilderLayout.RUNTIME_DIR))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(compile.getEnv()).contains(new EnvVar("LINKING", "dynamic", null),
                new EnvVar("PRESET_LDFLAGS", LanguagePresets.C_LDFLAGS_DYNAMIC, null),
                new EnvVar("MINIMAL_IMAGE", BuilderLayout.RUNTIME_LAUNCHER, null),
                new EnvVar("BUNDLE_ROOT", BuilderLayout.BUNDLE_ROOT, null),
                new EnvVar("EXTRA_LIBRARIES", "libgcc_s.so.1\n/usr/lib/x86_64-linux-gnu/libz.so.1", null));
        assertThat(plan.compile().script()).contains("stage-bundle \"$OUT\" --to \"$BUNDLE_ROOT\"");
        assertThat(LanguagePresets.C_LDFLAGS_DYNAMIC).doesNotContain("-static");
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("runtime")).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(PodSteps.step(pod, BuilderLayout.PACKAGE_CONTAINER).getVolumeMounts())
                .noneMatch(m -> m.getMountPath().equals(BuilderLayout.RUNTIME_DIR));
        assertThat(PodSteps.step(pod, BuilderLayout.PACKAGE_CONTAINER).getArgs()).containsSequence("--take-root",
                BuilderLayout.SHARED_WORKSPACE + "/bundle-root=" + BuilderLayout.BUNDLE_ROOT);

        Pod staticPod = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(plain, planner.plan(plain));
        assertThat(PodSteps.names(staticPod)).containsExactly(BuilderLayout.COMPILE_CONTAINER,
                BuilderLayout.PACKAGE_CONTAINER);
        assertThat(PodSteps.step(staticPod, BuilderLayout.COMPILE_CONTAINER).getEnv())
                .contains(new EnvVar("PRESET_LDFLAGS", LanguagePresets.C_LDFLAGS, null))
                .noneMatch(e -> e.getName().equals("MINIMAL_IMAGE"));
        assertThat(staticPod.getSpec().getVolumes()).extracting(Volume::getName).doesNotContain("runtime");

        Source.Git repo = new Source.Git();
        repo.setUrl("https://example.org/x.git");
        bundled.getSpec().getSource().setInline(null);
        bundled.getSpec().getSource().setGit(repo);
        Pod fromGit = new BuilderPodFactory(ToolchainImages.DEFAULTS).create(bundled, planner.plan(bundled));
        assertThat(fromGit.getSpec().getInitContainers()).isEmpty();
        assertThat(PodSteps.names(fromGit)).as("the fetch first: the copy's hook holds only what comes after it")
                .containsExactly(BuilderLayout.FETCH_CONTAINER, BuilderLayout.RUNTIME_CONTAINER,
                        BuilderLayout.COMPILE_CONTAINER, BuilderLayout.PACKAGE_CONTAINER);
    }

    @Test
    void anExtraLibraryThatIsNeitherASonameNorAPathIsRefusedByThePlanner() {
        MinimalImage bundled = Resources.helloC("app", "registry.example/app:1");
        bundled.getSpec().getVerify().setLinkPolicy(Verify.LinkPolicy.BUNDLE);
        bundled.getSpec().getVerify().setExtraLibraries(List.of("--root=/etc"));
        assertThatThrownBy(() -> planner.plan(bundled)).isInstanceOf(InvalidSpecException.class)
                .hasMessage("spec.verify.extraLibraries: '--root=/etc' is neither a SONAME (libfoo.so.1) nor an"
                        + " absolute path");
        MinimalImage unused = Resources.helloC("app", "registry.example/app:1");
        unused.getSpec().getVerify().setExtraLibraries(List.of("libz.so.1"));
        assertThatThrownBy(() -> planner.plan(unused)).isInstanceOf(InvalidSpecException.class)
                .hasMessage("spec.verify.extraLibraries only applies with spec.verify.linkPolicy: Bundle");
    }

    @Test
    void theSmokeTestIsNoBuildInputAndIsCheckedByThePlanner() throws Exception {
        MinimalImage plain = Resources.helloC("app", "registry.example/app:1");
        MinimalImage tested = Resources.helloC("app", "registry.example/app:1");
        dev.minimalimage.api.v1alpha1.SmokeTestSpec test = new dev.minimalimage.api.v1alpha1.SmokeTestSpec();
        test.setArgs(List.of("--version"));
        test.setOutputPattern("v[0-9]+");
        tested.getSpec().getVerify().setSmokeTest(test);
        BuildPlan plan = planner.plan(tested);
        assertThat(plan.inputsHash()).isEqualTo(planner.plan(plain).inputsHash());
        assertThat(plan.podName()).isEqualTo(planner.plan(plain).podName());
        assertThat(planner.plan(plain).hasSmokeTest()).isFalse();
        assertThat(plan.smokePodName()).isEqualTo("app-smoke-" + plan.inputsHash());
        assertThat(plan.smokeTest().timeoutSeconds()).isEqualTo(60);
        assertThat(plan.smokeTest().runAsUser()).isEqualTo(65532);
        assertThat(plan.smokeTest().rootReplaced()).isFalse();

        test.setOutputPattern("v[0-9");
        assertThatThrownBy(() -> planner.plan(tested)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.verify.smokeTest.outputPattern");
        test.setOutputPattern(null);
        test.setTimeout("6m");
        assertThatThrownBy(() -> planner.plan(tested)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.verify.smokeTest.timeout must be between 1s and 5m");
        test.setTimeout("1s");
        test.setExpectRunning(true);
        test.setExpectedExitCode(2);
        assertThatThrownBy(() -> planner.plan(tested)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("expectRunning");
        test.setExpectedExitCode(0);
        tested.getSpec().getImage().setUser("0:0");
        assertThat(planner.plan(tested).smokeTest().runAsUser()).isEqualTo(65532);
        assertThat(planner.plan(tested).smokeTest().rootReplaced()).isTrue();
        assertThat(planner.plan(tested).smokeTest().runAsGroup()).as("an explicit group stays").isZero();
        tested.getSpec().getImage().setUser("1000");
        assertThat(planner.plan(tested).smokeTest().runAsUser()).isEqualTo(1000);
        assertThat(planner.plan(tested).smokeTest().runAsGroup()).isNull();
    }
}
