package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.CaBundle;
import dev.minimalimage.api.v1alpha1.PullSecretReference;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.dockerfile.StageContainers;
import dev.minimalimage.image.Platform;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;

/**
 * The builder pod: [fetch (git only)] -> [runtime (bundle mode)] -> compile (toolchain image) -> package (our image). Meets Pod Security
 * "restricted", mounts no service-account token, and keeps the failing step's log tail in its termination message.
 */
public final class BuilderPodFactory {

    private static final String WORKSPACE_VOLUME = "workspace";
    private static final String TMP_VOLUME = "tmp";
    private static final String SOURCE_VOLUME = "source";
    private static final String REGISTRY_VOLUME = "registry-auth";
    private static final String GIT_VOLUME = "git-auth";
    private static final String CACHE_VOLUME = "build-cache";
    private static final String PROVENANCE_VOLUME = "provenance";
    private static final String CA_VOLUME = "ca-bundle";
    private static final String RUNTIME_VOLUME = "runtime";
    private static final String HANDOFF_VOLUME = "handoff";
    /**
     * Requests when spec.build.resources sets none, so the scheduler counts builder pods (a burst of builds on one
     * node otherwise overcommits it); no limits, which would kill a large link.
     */
    static final ResourceRequirements DEFAULT_RESOURCES = new ResourceRequirementsBuilder()
            .withRequests(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("256Mi"))).build();
    /** The packer's requests (see packerResources): a JVM that copies, checks and packs one program. */
    static final Map<String, Quantity> PACKER_REQUESTS = Map.of("cpu", new Quantity("100m"), "memory",
            new Quantity("128Mi"));
    /** The limits of spec.build.resources the packer takes too (see packerResources). */
    private static final Set<String> PACKER_LIMITED = Set.of("cpu", "memory", "ephemeral-storage");
    private static final String COMPILE_EXIT_VOLUME = "compile-exit";
    private static final String PACKER_WORKSPACE_VOLUME = "package-workspace";
    private static final String PACKER_TMP_VOLUME = "package-tmp";
    private static final String PACKER_HANDOFF_VOLUME = "package-handoff";
    private static final String FETCH_TMP_VOLUME = "fetch-tmp";
    private final ToolchainImages images;
    private final List<String> operatorPullSecrets;
    private final CaBundle operatorCaBundle;

    public BuilderPodFactory(ToolchainImages images) {
        this(images, List.of(), null);
    }

    /**
     * {@code operatorPullSecrets} and {@code operatorCaBundle} (nullable): the operator-wide settings, which a
     * resource's spec.build adds to (pull secrets) or overrides (CA bundle). Neither changes the image, so neither is
     * a build input.
     */
    public BuilderPodFactory(ToolchainImages images, List<String> operatorPullSecrets, CaBundle operatorCaBundle) {
        this.images = images;
        this.operatorPullSecrets = List.copyOf(operatorPullSecrets);
        this.operatorCaBundle = operatorCaBundle;
    }

    public Pod create(MinimalImage resource, BuildPlan plan) {
        return create(resource, plan, 1);
    }

    /** The pod of one attempt at the plan's inputs (see {@link BuildPlan#podName(int)}). */
    public Pod create(MinimalImage resource, BuildPlan plan, int attempt) {
        BuildSettings build = resource.getSpec().getBuild() == null ? new BuildSettings() : resource.getSpec().getBuild();
        List<Container> init = new ArrayList<>();
        List<Container> main = new ArrayList<>();
        if (!plan.isInline() && !fetchesBeside(plan)) {
            init.add(fetchContainer(plan, build));
        }
        Container runtime = runsRuntime(plan) ? runtimeContainer(plan, build) : null;
        if (runtime != null && !runtimeHeld(plan)) {
            init.add(runtime);
        }
        if (plan.fetchesDockerfile()) { // the resolve step of a git Dockerfile build: its fetch alone
            main.add(init.remove(0));
        } else if (plan.isDockerfile()) {
            if (runtime != null && runtimeHeld(plan)) {
                main.add(runtime);
            }
            List<StageContainers.Container> stages = plan.dockerfile().containers();
            for (int i = 0; i < stages.size(); i++) { // the last beside the packer (see handsOver), the others before
                boolean last = i == stages.size() - 1;
                (last ? main : init).add(stageContainer(plan, stages.get(i), build, last));
            }
            main.add(packageContainer(plan, build));
        } else { // side by side: the packer starts while the compiler runs, not after (see handsOver)
            if (fetchesBeside(plan)) {
                main.add(fetchContainer(plan, build));
            }
            if (runtime != null) { // after the fetch, which its hook would otherwise hold too
                main.add(runtime);
            }
            main.add(compileContainer(plan, build));
            main.add(packageContainer(plan, build));
        }
        return new PodBuilder()
                .withNewMetadata()
                    .withName(plan.podName(attempt))
                    .withNamespace(resource.getMetadata().getNamespace())
                    .withLabels(labels(resource, plan))
                    .withOwnerReferences(controllerReference(resource))
                .endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    .withActiveDeadlineSeconds(plan.timeoutSeconds())
                    .withTerminationGracePeriodSeconds(BuilderLayout.TERMINATION_GRACE_SECONDS)
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withNewSecurityContext()
                        // a Dockerfile's stages run as their own users: each container says who it runs as
                        .withRunAsNonRoot(plan.isDockerfile() ? null : true)
                        .withRunAsUser(plan.isDockerfile() ? null : (long) BuilderLayout.BUILDER_UID)
                        .withRunAsGroup(plan.isDockerfile() ? null : (long) BuilderLayout.BUILDER_UID)
                        .withFsGroup((long) BuilderLayout.BUILDER_UID)
                        // a cache claim is chown'ed only when its root is not ours yet, not file by file every build
                        .withFsGroupChangePolicy("OnRootMismatch")
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .withInitContainers(init)
                    .withContainers(main)
                    .withVolumes(volumes(plan, cacheClaim(build), caBundle(build)))
                    .withImagePullSecrets(pullSecrets(build))
                    .withNodeSelector(nodeSelector(build))
                    .withTolerations(build.getTolerations())
                .endSpec()
                .build();
    }

    /** The well-known node label of the node's CPU architecture (GOARCH names). */
    static final String ARCH_LABEL = "kubernetes.io/arch";

    /**
     * spec.build.nodeSelector, and a node of the builder image's architecture: the builder and the toolchain images
     * are amd64 (other platforms are cross-compiled there). A selector naming kubernetes.io/arch itself is kept.
     */
    static Map<String, String> nodeSelector(BuildSettings build) {
        Map<String, String> selector = new TreeMap<>(build.getNodeSelector() == null ? Map.of()
                : build.getNodeSelector());
        selector.putIfAbsent(ARCH_LABEL, Platform.LINUX_AMD64.architecture());
        return selector;
    }

    /**
     * Whether the package step runs beside the step before it, both regular containers: the package step's JVM starts
     * and its registry connection authenticates while that step runs, and it packs the moment the step writes its exit
     * code, with no container start in between (the kubelet starts the next container of a pod only at its next
     * relist, about a second). That step is the compile step, or a Dockerfile build's last stage container; the
     * stages before it stay init containers, in order, since each needs the one before it to have ended and a pod
     * counts only the largest init container's requests. A Dockerfile whose stages are all FROM scratch has none.
     */
    public static boolean handsOver(BuildPlan plan) {
        return !plan.fetchesDockerfile() && !(plan.isDockerfile() && plan.dockerfile().containers().isEmpty());
    }

    /**
     * A git source of a compile build is fetched by a regular container beside the compile step, which waits for its
     * exit code ({@link CompileStep#awaitingSource}), not by an init container: the kubelet's hand-over from an init
     * container to the next step costs about a second. The fetch step still ends before the project's build starts,
     * and it alone holds the git credentials. A Dockerfile's first stages are init containers, so its fetch stays one.
     */
    public static boolean fetchesBeside(BuildPlan plan) {
        return !plan.isInline() && !plan.isDockerfile() && handsOver(plan);
    }

    /**
     * Whether the runtime step is the pod's first regular container, held by its postStart hook until the copy is
     * complete, instead of an init container: the kubelet starts a pod's regular containers one after another and
     * the next only once the one before's postStart hook returned, so the step after it starts the moment the copy is
     * there, where an init container's end reaches the kubelet only at its next relist (~0.9 s). Only where every
     * step after it is a regular container: bundle mode (the compile step runs the copy after the build) and a
     * Dockerfile build with one stage container (beside the packer).
     */
    static boolean runtimeHeld(BuildPlan plan) {
        return runsRuntime(plan) && (!plan.isDockerfile() || plan.dockerfile().containers().size() == 1);
    }

    /** minimal-image is copied into the pod for bundle mode's compile step and for the Dockerfile stages. */
    private static boolean runsRuntime(BuildPlan plan) {
        return plan.isDockerfile() ? !plan.dockerfile().containers().isEmpty()
                : plan.compile() != null && plan.compile().stagesBundle();
    }

    public static Map<String, String> labels(MinimalImage resource, BuildPlan plan) {
        return labels(resource, plan, BuilderLayout.COMPONENT_BUILDER);
    }

    /** The labels of what the operator creates for {@code resource}'s inputs, as {@code component}. */
    static Map<String, String> labels(MinimalImage resource, BuildPlan plan, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(BuilderLayout.LABEL_MANAGED_BY, BuilderLayout.MANAGED_BY);
        labels.put(BuilderLayout.LABEL_COMPONENT, component);
        labels.put(BuilderLayout.LABEL_IMAGE, GeneratedNames.of(resource.getMetadata().getName(), ""));
        labels.put(BuilderLayout.LABEL_BUILD_HASH, plan.inputsHash());
        return labels;
    }

    /** The resource as controller owner: what it creates is deleted with it. */
    public static OwnerReference controllerReference(MinimalImage resource) {
        return new OwnerReferenceBuilder()
                .withApiVersion(resource.getApiVersion()).withKind(resource.getKind())
                .withName(resource.getMetadata().getName()).withUid(resource.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private Container fetchContainer(BuildPlan plan, BuildSettings build) {
        BuildPlan.GitSource git = plan.git();
        List<String> args = new ArrayList<>(List.of("fetch", "--url", git.url(), "--dest", BuilderLayout.GIT_CHECKOUT,
                "--result-file", BuilderLayout.TERMINATION_LOG, "--source-info", BuilderLayout.SOURCE_INFO,
                "--source-date-epoch-file", BuilderLayout.SOURCE_DATE_EPOCH_FILE));
        if (git.revision() != null) {
            args.addAll(List.of("--revision", git.revision()));
        }
        if (plan.fetchesDockerfile()) {
            args.addAll(List.of("--report-dockerfile", plan.dockerfileFetch().path()));
        }
        List<VolumeMount> mounts = baseMounts(BuilderLayout.FETCH_CONTAINER);
        if (fetchesBeside(plan)) { // its copy of the ssh key lives in /tmp: never in a volume the build shares
            mounts.replaceAll(m -> "/tmp".equals(m.getMountPath()) ? mount(FETCH_TMP_VOLUME, "/tmp") : m);
        }
        mounts.add(provenanceMount(false));
        if (git.credentialsSecret() != null) {
            args.addAll(List.of("--credentials-dir", BuilderLayout.GIT_SECRET_DIR));
            mounts.add(mount(GIT_VOLUME, BuilderLayout.GIT_SECRET_DIR));
        }
        trustCaBundle(build, args, mounts);
        ContainerBuilder fetch = base(BuilderLayout.FETCH_CONTAINER, images.builder(), build);
        if (fetchesBeside(plan)) { // a regular container's requests add up with the others': a packer's share
            args.addAll(List.of("--exit-code-file", BuilderLayout.FETCH_EXIT_FILE));
            fetch.withResources(packerResources(build));
        }
        return fetch.withArgs(ContainerArgs.literal(args)).withVolumeMounts(mounts).withEnv(builderJvmEnv()).build();
    }

    /**
     * Bundle mode: a copy of minimal-image that runs in the toolchain image (whatever its libc), for the compile step
     * to collect the program's libraries where they are. Only this volume, its HOME and /tmp: it reads nothing else.
     */
    private Container runtimeContainer(BuildPlan plan, BuildSettings build) {
        List<VolumeMount> mounts = new ArrayList<>(List.of(mount(RUNTIME_VOLUME, BuilderLayout.RUNTIME_DIR),
                mount(TMP_VOLUME, "/tmp"), mount(homeVolume(BuilderLayout.RUNTIME_CONTAINER), BuilderLayout.HOME)));
        ContainerBuilder runtime = base(BuilderLayout.RUNTIME_CONTAINER, images.builder(), build)
                .withArgs("stage-runtime", "--to", BuilderLayout.RUNTIME_DIR)
                .withVolumeMounts(mounts).withEnv(builderJvmEnv());
        if (!runtimeHeld(plan)) {
            return runtime.build();
        }
        // a regular container's requests add up with the others': a packer's share, as the packer's
        return runtime.withArgs("stage-runtime", "--to", BuilderLayout.RUNTIME_DIR, "--hold",
                BuilderLayout.RUNTIME_HOLD_FILE).withResources(packerResources(build))
                .withNewLifecycle().withNewPostStart().withNewExec().withCommand(holdHook(plan)).endExec()
                .endPostStart().endLifecycle().build();
    }

    /**
     * The runtime step's postStart hook: waits (within the build's timeout) until `stage-runtime --hold` says the
     * copy is complete, then takes its file, which lets the step end. A copy that fails ends the container, and the
     * hook's exec with it: the stage then finds no runtime, and the runtime step's own end is the reason.
     */
    private static List<String> holdHook(BuildPlan plan) {
        long polls = plan.timeoutSeconds() * 100; // 10 ms each
        String file = BuilderLayout.RUNTIME_HOLD_FILE;
        String busybox = BuilderLayout.BUILDER_BUSYBOX;
        return List.of(busybox, "sh", "-c", "n=0; while [ ! -e " + file + " ]; do n=$((n+1)); [ $n -le " + polls
                + " ] || exit 1; " + busybox + " usleep 10000; done; " + busybox + " rm -f " + file);
    }

    private Container compileContainer(BuildPlan plan, BuildSettings build) {
        List<EnvVar> env = new ArrayList<>(homeEnv());
        if (plan.isInline()) {
            env.add(new EnvVar("SRC", BuilderLayout.SOURCE_MOUNT, null));
            env.add(new EnvVar("SOURCE_FILES", ContainerArgs.literal(String.join("\n", plan.inlineFiles().keySet())), null));
        } else {
            env.add(new EnvVar("SRC", BuilderLayout.GIT_CHECKOUT, null));
            if (plan.git().contextDir() != null) {
                env.add(new EnvVar("CONTEXT_DIR", ContainerArgs.literal(plan.git().contextDir()), null));
            }
            env.add(new EnvVar("SOURCE_DATE_EPOCH_FILE", BuilderLayout.SOURCE_DATE_EPOCH_FILE, null));
        }
        env.add(new EnvVar("WORK", BuilderLayout.WORKSPACE, null));
        plan.compile().env().forEach((k, v) -> env.add(new EnvVar(k, ContainerArgs.literal(v), null)));
        List<VolumeMount> mounts = baseMounts(BuilderLayout.COMPILE_CONTAINER);
        if (plan.isInline()) {
            mounts.add(new VolumeMount(BuilderLayout.SOURCE_MOUNT, null, SOURCE_VOLUME, true, null, null, null));
        } else {
            mounts.add(provenanceMount(true));
        }
        if (plan.compile().stagesBundle()) { // read-only: the project's scripts must not change the program that reads ELF
            mounts.add(new VolumeMount(BuilderLayout.RUNTIME_DIR, null, RUNTIME_VOLUME, true, null, null, null));
        }
        if (cacheClaim(build) != null) {
            mounts.add(mount(CACHE_VOLUME, BuilderLayout.CACHE_MOUNT));
            env.add(new EnvVar("CACHE_DIR", BuildCaches.directory(plan.compile().image()), null));
        }
        mounts.add(mount(COMPILE_EXIT_VOLUME, BuilderLayout.COMPILE_EXIT_DIR));
        CompileStep step = fetchesBeside(plan) ? plan.compile().awaitingSource(BuilderLayout.FETCH_EXIT_FILE)
                : plan.compile();
        String script = step.handingOverTo(BuilderLayout.COMPILE_EXIT_FILE).script();
        return base(BuilderLayout.COMPILE_CONTAINER, plan.compile().image(), build)
                .withCommand("/bin/sh", "-c", ContainerArgs.literal(script))
                .withEnv(env).withVolumeMounts(mounts).build();
    }

    /**
     * A Dockerfile stage (or an image COPY --from reads) in a container of its own FROM image, run by the pod's copy of
     * minimal-image (no shell needed). It mounts the copy and the context read-only and the hand-over volume; nothing
     * else of the pod: no push credentials, no git credentials, no other step's HOME.
     */
    private Container stageContainer(BuildPlan plan, StageContainers.Container stage, BuildSettings build,
            boolean besidePacker) {
        List<String> command = new ArrayList<>(BuilderLayout.runtimeCommand(BuilderLayout.STAGE_RUNTIME_DIR));
        command.add("run-stage");
        command.addAll(plan.dockerfile().dockerfileArgs());
        command.addAll(List.of("--context", BuilderLayout.STAGE_CONTEXT, "--key", stage.key(), "--handoff",
                BuilderLayout.HANDOFF_DIR, "--result-file", BuilderLayout.TERMINATION_LOG));
        if (plan.dockerfile().bundles()) {
            command.add("--bundle");
            plan.dockerfile().extraLibraries().forEach(library -> command.add("--extra-library=" + library));
        }
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                new VolumeMount(BuilderLayout.STAGE_RUNTIME_DIR, null, RUNTIME_VOLUME, true, null, null, null),
                contextMount(plan), mount(HANDOFF_VOLUME, BuilderLayout.HANDOFF_DIR)));
        if (besidePacker) {
            command.addAll(List.of("--exit-code-file", BuilderLayout.COMPILE_EXIT_FILE));
            mounts.add(mount(COMPILE_EXIT_VOLUME, BuilderLayout.COMPILE_EXIT_DIR));
        }
        return base(stage.key(), stage.image(), build).withWorkingDir("/")
                .withCommand(ContainerArgs.literal(command)).withVolumeMounts(mounts)
                .withSecurityContext(StageSecurityContexts.of(stage, plan.dockerfile().security())).build();
    }

    /**
     * The build context of a Dockerfile build, read-only: the inline files' ConfigMap, or the git checkout's context
     * directory in the workspace.
     */
    private static VolumeMount contextMount(BuildPlan plan) {
        if (plan.isInline()) {
            return new VolumeMount(BuilderLayout.STAGE_CONTEXT, null, SOURCE_VOLUME, true, null, null, null);
        }
        String checkout = BuilderLayout.GIT_CHECKOUT.substring(BuilderLayout.WORKSPACE.length() + 1);
        String context = plan.git().contextDir() == null ? checkout : checkout + "/" + plan.git().contextDir();
        return new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withMountPath(BuilderLayout.STAGE_CONTEXT)
                .withName(WORKSPACE_VOLUME).withReadOnly(true).withSubPath(context).build();
    }

    private Container packageContainer(BuildPlan plan, BuildSettings build) {
        List<VolumeMount> mounts = handsOver(plan) && !plan.isDockerfile() ? packerMounts()
                : baseMounts(BuilderLayout.PACKAGE_CONTAINER);
        List<String> args = new ArrayList<>(plan.packageArgs());
        if (handsOver(plan)) {
            args.addAll(handoverArgs(plan));
        }
        if (plan.isDockerfile()) { // what the stages handed on, and the context for the final stage's COPYs
            mounts.add(contextMount(plan));
            if (handsOver(plan)) { // beside the last stage: it reads only its own copy of the hand-over (see above)
                mounts.add(new VolumeMount(BuilderLayout.SHARED_HANDOFF_DIR, null, HANDOFF_VOLUME, true, null, null,
                        null));
                mounts.add(mount(PACKER_HANDOFF_VOLUME, BuilderLayout.HANDOFF_DIR));
                mounts.add(exitCodeMount());
            } else {
                mounts.add(new VolumeMount(BuilderLayout.HANDOFF_DIR, null, HANDOFF_VOLUME, true, null, null, null));
            }
        }
        if (plan.pushSecret() != null) {
            mounts.add(mount(REGISTRY_VOLUME, BuilderLayout.REGISTRY_SECRET_DIR));
        }
        if (!plan.isInline()) {
            mounts.add(provenanceMount(true));
        }
        trustCaBundle(build, args, mounts);
        return base(BuilderLayout.PACKAGE_CONTAINER, images.builder(), build)
                .withResources(handsOver(plan) ? packerResources(build) : resources(build))
                .withArgs(ContainerArgs.literal(args))
                .withVolumeMounts(mounts).withEnv(builderJvmEnv()).build();
    }

    /**
     * The packer beside the compile step: the compile step's workspace read-only, and a workspace and a /tmp of its
     * own, which the build (alive until its container ends) can neither read nor write.
     */
    private static List<VolumeMount> packerMounts() {
        return new ArrayList<>(List.of(mount(PACKER_WORKSPACE_VOLUME, BuilderLayout.WORKSPACE),
                new VolumeMount(BuilderLayout.SHARED_WORKSPACE, null, WORKSPACE_VOLUME, true, null, null, null),
                exitCodeMount(), mount(PACKER_TMP_VOLUME, "/tmp"), mount(homeVolume(BuilderLayout.PACKAGE_CONTAINER),
                        BuilderLayout.HOME)));
    }

    /** The packer's read-only view of where the step beside it writes its exit code. */
    private static VolumeMount exitCodeMount() {
        return new VolumeMount(BuilderLayout.COMPILE_EXIT_DIR, null, COMPILE_EXIT_VOLUME, true, null, null, null);
    }

    /**
     * Wait for the step beside (within the build's timeout), then copy what it left into the packer's own storage:
     * a compile step's outputs into its workspace, a Dockerfile's hand-over volume into its own hand-over directory.
     * A process of the build that outlived its step's exit code can then not swap a file for a link to the packer's
     * secrets between a check and a read: the copy opens nothing by name, follows no link, and the packing reads only
     * the copy.
     */
    private static List<String> handoverArgs(BuildPlan plan) {
        List<String> args = new ArrayList<>(List.of("--await-compile", BuilderLayout.COMPILE_EXIT_FILE,
                "--await-timeout", Long.toString(plan.timeoutSeconds())));
        if (plan.isDockerfile()) { // links copied as links: COPY --from resolves them inside the stage's root
            args.addAll(List.of("--take-root", BuilderLayout.SHARED_HANDOFF_DIR + "=" + BuilderLayout.HANDOFF_DIR));
            return args;
        }
        args.addAll(List.of("--take", shared(BuilderLayout.OUT_DIR) + "=" + BuilderLayout.OUT_DIR,
                "--take", shared(BuilderLayout.TOOLCHAIN_RECORD) + "=" + BuilderLayout.TOOLCHAIN_RECORD));
        if (plan.compile().stagesBundle()) {
            args.addAll(List.of("--take-root", shared(BuilderLayout.BUNDLE_ROOT) + "=" + BuilderLayout.BUNDLE_ROOT));
        }
        if (fetchesBeside(plan)) { // the fetch is the critical path while it runs: no warm-up competing with it
            args.addAll(List.of("--warm-up-after", BuilderLayout.FETCH_EXIT_FILE));
        }
        return args;
    }

    /** {@code path} in the compile step's workspace, as the packer sees it. */
    private static String shared(String path) {
        return BuilderLayout.SHARED_WORKSPACE + path.substring(BuilderLayout.WORKSPACE.length());
    }

    /**
     * spec.build.resources are the compile step's (and each init step's: the pod counts only the largest of those).
     * The packer runs beside the compile step, so its requests add to the pod's: it requests little, and takes the
     * spec's limits, if any, so that a namespace that requires limits admits the pod.
     */
    static ResourceRequirements packerResources(BuildSettings build) {
        Map<String, Quantity> limits = new TreeMap<>(build.getResources() == null
                || build.getResources().getLimits() == null ? Map.of() : build.getResources().getLimits());
        limits.keySet().retainAll(PACKER_LIMITED); // not a second GPU or hugepages for a packer
        Map<String, Quantity> requests = new TreeMap<>(PACKER_REQUESTS);
        // a request above its limit is refused by the API: under a smaller limit, the limit is the request
        limits.forEach((name, limit) -> requests.computeIfPresent(name, (key, request) ->
                Quantity.getAmountInBytes(limit).compareTo(Quantity.getAmountInBytes(request)) < 0 ? limit : request));
        return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits.isEmpty() ? null : limits)
                .build();
    }

    private static ResourceRequirements resources(BuildSettings build) {
        return build.getResources() != null ? build.getResources() : DEFAULT_RESOURCES;
    }

    /** The steps that talk to git servers and registries trust the bundle's CAs besides the public roots. */
    private void trustCaBundle(BuildSettings build, List<String> args, List<VolumeMount> mounts) {
        if (caBundle(build) != null) {
            args.addAll(List.of("--ca-bundle", BuilderLayout.CA_BUNDLE_FILE));
            mounts.add(new VolumeMount(BuilderLayout.CA_BUNDLE_DIR, null, CA_VOLUME, true, null, null, null));
        }
    }

    /** The resource's own bundle, else the operator's, else none. */
    private CaBundle caBundle(BuildSettings build) {
        return build.getCaBundle() != null ? build.getCaBundle() : operatorCaBundle;
    }

    private List<LocalObjectReference> pullSecrets(BuildSettings build) {
        return pullSecrets(operatorPullSecrets, build).stream().map(LocalObjectReference::new).toList();
    }

    /**
     * The operator-wide pull secrets, then spec.build.imagePullSecrets, without repeats: what the builder pod pulls
     * with, and the smoke-test pod too (the produced image usually lives in the same private registry).
     */
    static List<String> pullSecrets(List<String> operatorPullSecrets, BuildSettings build) {
        Set<String> names = new LinkedHashSet<>(operatorPullSecrets);
        if (build.getImagePullSecrets() != null) {
            build.getImagePullSecrets().stream().map(PullSecretReference::getName).forEach(names::add);
        }
        return names.stream().filter(n -> n != null && !n.isBlank()).toList();
    }

    private static ContainerBuilder base(String name, String image, BuildSettings build) {
        return new ContainerBuilder().withName(name).withImage(image).withImagePullPolicy("IfNotPresent")
                .withWorkingDir(BuilderLayout.WORKSPACE)
                .withTerminationMessagePath(BuilderLayout.TERMINATION_LOG)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withResources(resources(build))
                .withSecurityContext(new SecurityContextBuilder(restricted()) // said per container: see create()
                        .withRunAsUser((long) BuilderLayout.BUILDER_UID)
                        .withRunAsGroup((long) BuilderLayout.BUILDER_UID).build());
    }

    /** Pod Security "restricted", plus a read-only root: steps write only to the workspace volume. */
    static SecurityContext restricted() {
        return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withRunAsNonRoot(true)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    /**
     * The root file system is read-only: HOME and /tmp are emptyDirs. Each step has a HOME of its own that no other
     * step mounts, so the compile step (the project's own scripts) can neither read what the fetch step left there nor
     * plant files (a docker config, say) for the package step, which holds the push credentials.
     */
    private static List<EnvVar> homeEnv() {
        return List.of(new EnvVar("HOME", BuilderLayout.HOME, null), new EnvVar("TMPDIR", "/tmp", null));
    }

    /**
     * The builder image's steps (fetch, stage-runtime, package) are short JVM runs: C1 only and the serial collector
     * (a fetch over ssh in the builder image's root: 1.35 s against 1.61 s with the JVM's defaults, median of 5; the
     * packer beside the compile step leaves the compiler the CPU, bench/handover.sh).
     */
    private static List<EnvVar> builderJvmEnv() {
        List<EnvVar> env = new ArrayList<>(homeEnv());
        env.add(new EnvVar("JAVA_TOOL_OPTIONS", String.join(" ", BuilderLayout.SHORT_RUN_JAVA_OPTIONS), null));
        // JGit writes its file-store measurements under the XDG config home, else under the JVM's user.home (from
        // /etc/passwd: /home/nonroot, on the read-only root, where it failed with an ERROR and a stack trace)
        env.add(new EnvVar("XDG_CONFIG_HOME", BuilderLayout.HOME + "/.config", null));
        return env;
    }

    private static VolumeMount workspaceMount() {
        return mount(WORKSPACE_VOLUME, BuilderLayout.WORKSPACE);
    }

    private static List<VolumeMount> baseMounts(String step) {
        return new ArrayList<>(List.of(workspaceMount(), mount(TMP_VOLUME, "/tmp"), mount(homeVolume(step),
                BuilderLayout.HOME)));
    }

    private static String homeVolume(String step) {
        return "home-" + step;
    }

    private static VolumeMount provenanceMount(boolean readOnly) {
        return new VolumeMount(BuilderLayout.PROVENANCE_DIR, null, PROVENANCE_VOLUME, readOnly, null, null, null);
    }

    private static VolumeMount mount(String volume, String path) {
        return new VolumeMount(path, null, volume, volume.endsWith("-auth"), null, null, null);
    }

    private static String cacheClaim(BuildSettings build) {
        return build.getCache() == null ? null : build.getCache().getClaimName();
    }

    private static List<Volume> volumes(BuildPlan plan, String cacheClaim, CaBundle caBundle) {
        List<Volume> volumes = new ArrayList<>();
        if (caBundle != null) {
            volumes.add(new VolumeBuilder().withName(CA_VOLUME).withNewConfigMap().withName(caBundle.getConfigMap())
                    .withItems(new KeyToPath(caBundle.getKey(), null, "ca.crt")).endConfigMap().build());
        }
        volumes.add(new VolumeBuilder().withName(WORKSPACE_VOLUME).withNewEmptyDir().endEmptyDir().build());
        volumes.add(new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build());
        List<String> steps = new ArrayList<>();
        if (!plan.isInline()) {
            steps.add(BuilderLayout.FETCH_CONTAINER);
        }
        if (runsRuntime(plan)) {
            steps.add(BuilderLayout.RUNTIME_CONTAINER);
            volumes.add(new VolumeBuilder().withName(RUNTIME_VOLUME).withNewEmptyDir().endEmptyDir().build());
        }
        if (plan.isDockerfile()) {
            volumes.add(new VolumeBuilder().withName(HANDOFF_VOLUME).withNewEmptyDir().endEmptyDir().build());
        } else if (!plan.fetchesDockerfile()) {
            steps.add(BuilderLayout.COMPILE_CONTAINER);
        }
        if (!plan.fetchesDockerfile()) {
            steps.add(BuilderLayout.PACKAGE_CONTAINER);
        }
        if (handsOver(plan)) {
            for (String own : plan.isDockerfile() ? List.of(COMPILE_EXIT_VOLUME, PACKER_HANDOFF_VOLUME)
                    : List.of(COMPILE_EXIT_VOLUME, PACKER_WORKSPACE_VOLUME, PACKER_TMP_VOLUME)) {
                volumes.add(new VolumeBuilder().withName(own).withNewEmptyDir().endEmptyDir().build());
            }
        }
        for (String step : steps) {
            volumes.add(new VolumeBuilder().withName(homeVolume(step)).withNewEmptyDir().endEmptyDir().build());
        }
        if (!plan.isInline()) {
            volumes.add(new VolumeBuilder().withName(PROVENANCE_VOLUME).withNewEmptyDir().endEmptyDir().build());
        }
        if (fetchesBeside(plan)) {
            volumes.add(new VolumeBuilder().withName(FETCH_TMP_VOLUME).withNewEmptyDir().endEmptyDir().build());
        }
        if (plan.isInline()) {
            volumes.add(new VolumeBuilder().withName(SOURCE_VOLUME).withNewConfigMap()
                    .withName(plan.sourceConfigMapName()).withItems(InlineSourceFiles.items(plan.inlineFiles()))
                    .endConfigMap().build());
        }
        if (plan.pushSecret() != null) {
            volumes.add(new VolumeBuilder().withName(REGISTRY_VOLUME).withNewSecret().withSecretName(plan.pushSecret())
                    .withItems(new KeyToPath(".dockerconfigjson", null, "config.json")).endSecret().build());
        }
        if (cacheClaim != null) {
            volumes.add(new VolumeBuilder().withName(CACHE_VOLUME).withNewPersistentVolumeClaim()
                    .withClaimName(cacheClaim).endPersistentVolumeClaim().build());
        }
        if (plan.git() != null && plan.git().credentialsSecret() != null) {
            volumes.add(new VolumeBuilder().withName(GIT_VOLUME).withNewSecret()
                    .withSecretName(plan.git().credentialsSecret()).endSecret().build());
        }
        return volumes;
    }
}
