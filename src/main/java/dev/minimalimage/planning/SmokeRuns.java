package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.image.Platform;

/**
 * Where each platform of a pushed image is smoke tested. The platform of the smoke-test pod's own nodes (linux/amd64
 * unless spec.build.nodeSelector names kubernetes.io/arch) runs the image by its digest as before, and the runtime
 * picks that platform's image of an index. Every other platform runs its own image (by its manifest digest) on a node
 * of its architecture when the cluster has one; else under qemu user-mode emulation on a node of the default
 * architecture when the operator is given an emulator image (smokeTest.emulatorImage in the chart: qemu's static
 * user-mode emulators, copied into the pod, so the node needs no binfmt_misc registration); else it is not run, and
 * says so (never passed).
 */
public final class SmokeRuns {

    /** How a platform's smoke test runs. */
    public enum Placement {
        /** On a node of the platform's own architecture. */
        NODE,
        /** Under qemu user-mode emulation, on a node of the smoke-test pod's default architecture. */
        EMULATED,
        /** Nowhere: neither a node nor an emulator can run it. */
        NOT_RUN
    }

    /**
     * One platform's smoke test: {@code home} for the smoke-test pod's own platform, which every smoke test has (its
     * pod is the one status.smokeTest describes); {@code podName} and {@code imageRef} are null when it is not run;
     * {@code note} says where a foreign platform runs, or why not.
     */
    public record Run(Platform platform, Placement placement, boolean home, String podName, String imageRef,
            String note) {

        public boolean runs() {
            return placement != Placement.NOT_RUN;
        }

        /** The node architecture the pod selects: its platform's, or the default one for an emulated run. */
        public String nodeArchitecture(BuildSettings build) {
            return placement == Placement.NODE ? platform.architecture() : SmokeTestPods.platformRun(build)
                    .architecture();
        }
    }

    /** A platform's image as pushed: its platform and manifest digest. */
    public record Pushed(String platform, String digest) {
    }

    /**
     * What the cluster offers for foreign platforms: whether a schedulable node matches a node selector (asked only
     * when an image has a platform other than the default one), and the emulator image (null: none configured).
     */
    public record Cluster(Predicate<Map<String, String>> hasNode, String emulatorImage) {

        /** A cluster of the default architecture only, without an emulator. */
        public static Cluster plain() {
            return new Cluster(selector -> false, null);
        }
    }

    /** Where the emulator image's qemu binaries are, and where the smoke-test container finds the one it runs. */
    public static final String EMULATOR_DIR = "/qemu";
    public static final String EMULATOR_MOUNT = "/.minimal-image-emulator";

    private SmokeRuns() {
    }

    /**
     * The runs of an image pushed as {@code imageRef} (the index's reference for a multi-platform image) with
     * {@code platforms} (empty: a single-platform image, whose one run is the default).
     */
    public static List<Run> of(BuildPlan plan, BuildSettings build, String imageRef, List<Pushed> platforms,
            Cluster cluster) {
        Platform home = SmokeTestPods.platformRun(build);
        List<Run> runs = new ArrayList<>();
        runs.add(new Run(home, Placement.NODE, true, plan.smokePodName(), imageRef, null));
        for (Pushed pushed : platforms) {
            Platform platform = Platform.parse(pushed.platform());
            if (!platform.equals(home)) {
                runs.add(foreign(plan, build, platform, platformRef(imageRef, pushed.digest()), home, cluster));
            }
        }
        return List.copyOf(runs);
    }

    private static Run foreign(BuildPlan plan, BuildSettings build, Platform platform, String ref, Platform home,
            Cluster cluster) {
        String pod = GeneratedNames.of(plan.resourceName(), "-smoke-" + plan.inputsHash() + "-"
                + platform.architecture());
        if (cluster.hasNode().test(nodeSelector(build, platform.architecture()))) {
            return new Run(platform, Placement.NODE, false, pod, ref, "on a " + platform + " node (" + BuilderPodFactory
                    .ARCH_LABEL + "=" + platform.architecture() + ")");
        }
        if (cluster.emulatorImage() != null) {
            return new Run(platform, Placement.EMULATED, false, pod, ref, "under qemu-" + platform.gnuCpu()
                    + " user-mode emulation on a " + home + " node (no schedulable node matches spec.build.nodeSelector"
                    + " with " + BuilderPodFactory.ARCH_LABEL + "=" + platform.architecture() + ")");
        }
        return new Run(platform, Placement.NOT_RUN, false, null, null, "not run in the cluster: no schedulable node matches"
                + " spec.build.nodeSelector with " + BuilderPodFactory.ARCH_LABEL + "=" + platform.architecture() + ", and the operator has"
                + " no emulator image (the chart's smokeTest.emulatorImage; docs/platforms.md). `minimal-image build"
                + " --platform " + platform + " --smoke-test` runs it under qemu-user on a machine that has"
                + " qemu-user-static");
    }

    /** spec.build.nodeSelector with the architecture of the nodes a run's pod selects. */
    public static Map<String, String> nodeSelector(BuildSettings build, String architecture) {
        Map<String, String> selector = new TreeMap<>(BuilderPodFactory.nodeSelector(build == null
                ? new BuildSettings() : build));
        selector.put(BuilderPodFactory.ARCH_LABEL, architecture);
        return selector;
    }

    /**
     * The image of one platform: the index's repository with that platform's manifest digest. A node of any
     * architecture runs exactly that image (the runtime picks a platform only from an index).
     */
    static String platformRef(String indexRef, String digest) {
        try {
            return ImageReference.parse(indexRef).withQualifier(digest).toString();
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("status.imageRef is not an image reference: " + indexRef, e);
        }
    }

    /** The qemu binary of {@code platform} in the emulator image. */
    static String emulatorSource(Platform platform) {
        return EMULATOR_DIR + "/qemu-" + platform.gnuCpu() + "-static";
    }

    /** The same binary where the smoke-test container sees it. */
    static String emulatorPath(Platform platform) {
        return EMULATOR_MOUNT + "/qemu-" + platform.gnuCpu() + "-static";
    }
}
