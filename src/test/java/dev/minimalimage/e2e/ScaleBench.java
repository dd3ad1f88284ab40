package dev.minimalimage.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.InvalidSpecException;
import dev.minimalimage.planning.ToolchainImages;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;

/**
 * The restore step of bench/scale.sh (a benchmark harness, not a test): makes MinimalImages Ready without building
 * them, the way a restored backup does. A seed resource that the operator really built gives the status; each copy
 * gets the seed's spec under its own name and image, and the seed's status with the inputs hash and builder pod
 * name that the project's own {@link BuildPlanner} gives the copy, written through the status subresource. The
 * operator must be stopped meanwhile (bench/scale.sh scales it to 0): a resource it saw without a status would be
 * built.
 *
 * <p>Usage (inside the cluster's network namespace, KUBECONFIG set):
 * {@code ScaleBench NAMESPACE SEED PREFIX FIRST COUNT TOOLCHAIN_IMAGE BUILDER_IMAGE}: creates PREFIX-FIRST ..
 * PREFIX-(FIRST+COUNT-1), with the presets of the chart install pointed at TOOLCHAIN_IMAGE (as
 * scripts/cluster/install-operator.sh sets them) and the builder image BUILDER_IMAGE.
 */
public final class ScaleBench {

    private static final int PARALLEL = 8;

    private final KubernetesClient client;
    private final String namespace;
    private final BuildPlanner planner;
    private final MinimalImage seed;

    private ScaleBench(KubernetesClient client, String namespace, String seedName, ToolchainImages images) {
        this.client = client;
        this.namespace = namespace;
        this.planner = new BuildPlanner(images);
        this.seed = resources().inNamespace(namespace).withName(seedName).get();
        if (seed == null || seed.getStatus() == null || seed.getStatus().getPhase() != MinimalImageStatus.Phase.Succeeded) {
            throw new IllegalStateException("seed " + namespace + "/" + seedName + " is missing or not Succeeded: "
                    + (seed == null ? "absent" : seed.getStatus() == null ? "no status" : seed.getStatus().getPhase()));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: ScaleBench NAMESPACE SEED PREFIX FIRST COUNT TOOLCHAIN_IMAGE BUILDER_IMAGE");
            System.exit(2);
        }
        String toolchain = args[5];
        ToolchainImages images = new ToolchainImages(args[6], toolchain, toolchain, toolchain, toolchain, toolchain);
        int exit = 1;
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            ScaleBench bench = new ScaleBench(client, args[0], args[1], images);
            bench.checkSeedHash();
            int made = bench.restore(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            System.out.println(made);
            exit = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        } finally {
            System.exit(exit); // the client's HTTP threads would keep the JVM alive after a failure
        }
    }

    private MixedOperation<MinimalImage, KubernetesResourceList<MinimalImage>, Resource<MinimalImage>> resources() {
        return client.resources(MinimalImage.class);
    }

    /**
     * The planner's hash of the seed must be the one the operator wrote: otherwise this harness plans with other
     * images than the operator, and every copy would be rebuilt (the benchmark would measure builds, not a restart).
     */
    private void checkSeedHash() throws InvalidSpecException {
        String planned = planner.plan(seed).inputsHash();
        if (!planned.equals(seed.getStatus().getBuildHash())) {
            throw new IllegalStateException("the seed's status.buildHash " + seed.getStatus().getBuildHash()
                    + " differs from this harness's plan " + planned + ": the toolchain images given here are not"
                    + " the operator's");
        }
    }

    private int restore(String prefix, int first, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = first; i < first + count; i++) {
                String name = prefix + "-" + i;
                done.add(pool.submit(() -> {
                    restoreOne(name);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            return done.size();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Creates {@code name} with the seed's spec (its own image) and writes the status a backup of it holds. */
    private void restoreOne(String name) throws InvalidSpecException {
        MinimalImage copy = new MinimalImage();
        copy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
                .withLabels(Map.of("bench", "scale")).build());
        copy.setSpec(client.getKubernetesSerialization().clone(seed.getSpec()));
        String image = imageOf(name);
        copy.getSpec().getImage().setName(image);
        MinimalImage created = resources().inNamespace(namespace).resource(copy).create();
        BuildPlan plan = planner.plan(created);
        MinimalImageStatus status = client.getKubernetesSerialization().clone(seed.getStatus());
        status.setBuildHash(plan.inputsHash());
        status.setBuilderPod(plan.podName(1));
        status.setImageRef(pushedRef(image));
        status.setObservedGeneration(created.getMetadata().getGeneration());
        status.getConditions().forEach(c -> c.setObservedGeneration(created.getMetadata().getGeneration()));
        created.setStatus(status);
        resources().inNamespace(namespace).resource(created).updateStatus();
    }

    /** What the operator records for a push of the seed's bytes to {@code image}: its repository at the digest. */
    private String pushedRef(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return (colon > slash ? image.substring(0, colon) : image) + "@" + seed.getStatus().getDigest();
    }

    /** The seed's image repository with the copy's name as its last path element, same tag. */
    private String imageOf(String name) {
        String seedImage = seed.getSpec().getImage().getName();
        int slash = seedImage.lastIndexOf('/');
        int colon = seedImage.lastIndexOf(':');
        String tag = colon > slash ? seedImage.substring(colon) : "";
        return seedImage.substring(0, slash + 1) + name + tag;
    }
}
