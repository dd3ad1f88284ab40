package dev.minimalimage.planning;

/** Paths and names inside the builder pod, shared by the pod factory and the status reader. */
public final class BuilderLayout {

    public static final String WORKSPACE = "/workspace";
    public static final String SOURCE_MOUNT = "/source";
    /** Each step's own HOME (an emptyDir only that step mounts). */
    public static final String HOME = "/home/builder";
    public static final String GIT_CHECKOUT = WORKSPACE + "/src";
    public static final String OUT_DIR = WORKSPACE + "/out";
    /** Written by fetch, read by package: url, commit and commit time for the image's annotations. */
    /**
     * Where the fetch step records the commit it checked out. Its own volume, which only the fetch step may write: the
     * compile step runs the project's scripts, which must not be able to forge the image's provenance.
     */
    public static final String PROVENANCE_DIR = "/provenance";
    public static final String SOURCE_INFO = PROVENANCE_DIR + "/source-info.json";
    /** Written by fetch, read by the compile step as SOURCE_DATE_EPOCH: the commit time in epoch seconds. */
    public static final String SOURCE_DATE_EPOCH_FILE = PROVENANCE_DIR + "/source-date-epoch";
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
    public static final String BUNDLE_ROOT = WORKSPACE + "/bundle-root";

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
    public static final String LABEL_IMAGE = "build.minimalimage.dev/image";
    public static final String LABEL_BUILD_HASH = "build.minimalimage.dev/build-hash";
    public static final String SELECTOR = LABEL_MANAGED_BY + "=" + MANAGED_BY + "," + LABEL_COMPONENT + "=" + COMPONENT_BUILDER;

    public static final int BUILDER_UID = 65532;

    private BuilderLayout() {
    }
}
