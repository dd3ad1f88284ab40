package dev.minimalimage.planning;

import java.util.List;

/** Paths and names inside the builder pod, shared by the pod factory and the status reader. */
public final class BuilderLayout {

    public static final String WORKSPACE = "/workspace";
    public static final String SOURCE_MOUNT = "/source";
    /** Each step's own HOME (an emptyDir only that step mounts). */
    public static final String HOME = "/home/builder";
    public static final String GIT_CHECKOUT = WORKSPACE + "/src";
    public static final String OUT_DIR = WORKSPACE + "/out";
    /**
     * Where the compile step copies its toolchain image's dpkg database (a root with only var/lib/dpkg/status), for
     * the package step's SBOM: the versions of the static C library and GCC runtime the binary linked. Outside
     * OUT_DIR, so no binary name can collide with it. Written by the step that runs the project's build, so it is as
     * trustworthy as that build, which could as well have linked other libraries: the package step reads it as data
     * only (a regular file, no link followed, size-capped; see DpkgStatus).
     */
    public static final String TOOLCHAIN_RECORD = WORKSPACE + "/toolchain-record";
    /** Written by fetch, read by package: url, commit and commit time for the image's annotations. */
    /**
     * Where the fetch step records the commit it checked out. Its own volume, which only the fetch step may write: the
     * compile step runs the project's scripts, which must not be able to forge the image's provenance.
     */
    public static final String PROVENANCE_DIR = "/provenance";
    public static final String SOURCE_INFO = PROVENANCE_DIR + "/source-info.json";
    /** Written by fetch, read by the compile step as SOURCE_DATE_EPOCH: the commit time in epoch seconds. */
    public static final String SOURCE_DATE_EPOCH_FILE = PROVENANCE_DIR + "/source-date-epoch";
    /**
     * Written by fetch when it ends, whatever the outcome: its exit code, one line. The compile step starts beside the
     * fetch step and waits for this line before it reads the checkout (see CompileStep#awaitingSource).
     */
    public static final String FETCH_EXIT_FILE = PROVENANCE_DIR + "/fetch-exit-code";
    public static final String REGISTRY_SECRET_DIR = "/var/run/secrets/minimal-image/registry";
    public static final String REGISTRY_CONFIG = REGISTRY_SECRET_DIR + "/config.json";
    public static final String GIT_SECRET_DIR = "/var/run/secrets/minimal-image/git";
    /** spec.build.cache is mounted here (compile step only); CACHE_DIR is a directory per toolchain image below. */
    public static final String CACHE_MOUNT = "/cache";
    public static final String CA_BUNDLE_DIR = "/etc/minimal-image/ca";
    public static final String CA_BUNDLE_FILE = CA_BUNDLE_DIR + "/ca.crt";
    public static final String TERMINATION_LOG = "/dev/termination-log";
    /**
     * Bundle mode: the runtime step copies minimal-image (with its own loader and libraries) here, and the compile
     * step runs it from here, read-only, to collect the program's libraries into {@link #BUNDLE_ROOT}.
     */
    public static final String RUNTIME_DIR = "/minimal-image";
    /** What `stage-runtime --to RUNTIME_DIR` writes (its launcher's path inside the copy). */
    public static final String RUNTIME_LAUNCHER = RUNTIME_DIR + "/bin/minimal-image";
    /**
     * Where `stage-runtime --hold` says its copy is complete, for the runtime step's postStart hook, which removes it
     * (see BuilderPodFactory#runtimeHeld).
     */
    public static final String RUNTIME_HOLD_FILE = RUNTIME_DIR + "/.copied";
    /** The builder image's static busybox (scripts/image.sh): the debug twins' shell, and the runtime step's hook. */
    public static final String BUILDER_BUSYBOX = "/bin/busybox";
    public static final String BUNDLE_ROOT = WORKSPACE + "/bundle-root";
    /** In a copy `stage-runtime` writes: its loader and its jar under fixed names, for {@link #runtimeCommand}. */
    public static final String RUNTIME_LOADER = "lib/ld.so";
    public static final String RUNTIME_JAR = "app/run.jar";
    /**
     * Short runs in a build: no JIT warm-up worth having (C1 only, which also leaves the CPU to the compiler beside
     * the packer), the serial collector's small footprint, no perf-data file in a shared /tmp. The pod's copy of
     * minimal-image starts with them; the builder image's steps get them as JAVA_TOOL_OPTIONS.
     */
    public static final List<String> SHORT_RUN_JAVA_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-XX:-UsePerfData");

    /**
     * Dockerfile builds: what a stage's container (its FROM image) mounts, under one directory a Dockerfile is
     * unlikely to touch (a stage may well use /workspace or /source itself).
     */
    public static final String STAGE_MOUNTS = "/.minimal-image";
    public static final String STAGE_RUNTIME_DIR = STAGE_MOUNTS + "/runtime";
    /** The build context: the inline files' ConfigMap, or the workspace holding the git checkout. */
    public static final String STAGE_CONTEXT = STAGE_MOUNTS + "/context";
    /** What each container hands on to the later ones (see dockerfile.Handoff); the packer mounts it too. */
    public static final String HANDOFF_DIR = STAGE_MOUNTS + "/handoff";
    /**
     * The packer beside a Dockerfile's last stage: the stages' hand-over volume, read-only. It takes that into its own
     * {@link #HANDOFF_DIR} (a volume only it mounts) once the stage ended, and reads only its copy.
     */
    public static final String SHARED_HANDOFF_DIR = STAGE_MOUNTS + "/shared-handoff";

    /**
     * The step beside the package step writes its exit code here as it ends: the compile step of a preset or custom
     * build (see {@link CompileStep#handingOverTo}), a Dockerfile build's last stage container (run-stage
     * --exit-code-file). The package step, which runs beside it, waits for it.
     */
    public static final String COMPILE_EXIT_DIR = STAGE_MOUNTS + "/compile-exit";
    public static final String COMPILE_EXIT_FILE = COMPILE_EXIT_DIR + "/code";
    /**
     * The package step's read-only view of the compile step's workspace; its own {@link #WORKSPACE} is a volume
     * only it mounts, into which it copies the outputs once the compile step ended.
     */
    public static final String SHARED_WORKSPACE = STAGE_MOUNTS + "/shared-workspace";

    public static final String FETCH_CONTAINER = "fetch";
    public static final String RUNTIME_CONTAINER = "runtime";
    public static final String COMPILE_CONTAINER = "compile";
    public static final String PACKAGE_CONTAINER = "package";

    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "minimal-image-operator";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String COMPONENT_BUILDER = "builder";
    public static final String COMPONENT_SMOKE_TEST = "smoke-test";
    public static final String SMOKE_SELECTOR = LABEL_MANAGED_BY + "=" + MANAGED_BY + "," + LABEL_COMPONENT + "="
            + COMPONENT_SMOKE_TEST;
    /** The one container of the smoke-test pod. */
    public static final String SMOKE_CONTAINER = "smoke";
    /** The init container of an emulated smoke test (it copies the qemu emulator into the pod). */
    public static final String EMULATOR_CONTAINER = "emulator";
    public static final String LABEL_IMAGE = "build.minimalimage.dev/image";
    /**
     * On a builder pod the operator stopped (by its deadline) because a step had failed while another still ran: the
     * failed step's name. The pod stays, for its logs; its failure is that step's, not the deadline's.
     */
    public static final String ANNOTATION_STOPPED = "build.minimalimage.dev/stopped-after-failed-step";
    public static final String LABEL_BUILD_HASH = "build.minimalimage.dev/build-hash";
    public static final String SELECTOR = LABEL_MANAGED_BY + "=" + MANAGED_BY + "," + LABEL_COMPONENT + "=" + COMPONENT_BUILDER;

    public static final int BUILDER_UID = 65532;

    /**
     * The builder and smoke-test pods' terminationGracePeriodSeconds. Such a pod is deleted only when its result is
     * no longer wanted (superseded inputs, a deleted resource, a decided smoke test), and nothing in it saves state
     * on SIGTERM; a compile step's {@code sh -c} and a program FROM scratch run as PID 1 and ignore SIGTERM, so the
     * default 30 s would hold the node's CPU and memory for nothing.
     */
    public static final long TERMINATION_GRACE_SECONDS = 2;

    /**
     * The pod's copy of minimal-image (see `stage-runtime`) in {@code dir}, started by its own loader: no shell and no
     * libc of the container's image is needed (a stage's image may have neither), and the loader's
     * --inhibit-cache and --library-path keep the image's libraries out of our JVM.
     */
    public static List<String> runtimeCommand(String dir) {
        List<String> command = new java.util.ArrayList<>(List.of(dir + "/" + RUNTIME_LOADER, "--inhibit-cache",
                "--library-path", dir + "/lib", dir + "/java/bin/java"));
        command.addAll(SHORT_RUN_JAVA_OPTIONS);
        command.addAll(List.of("-jar", dir + "/" + RUNTIME_JAR));
        return List.copyOf(command);
    }

    private BuilderLayout() {
    }
}
