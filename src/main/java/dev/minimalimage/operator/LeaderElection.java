package dev.minimalimage.operator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ExecutorServiceManager;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Leader election, so the chart's {@code replicas} may be more than one: every replica starts its informers (warm
 * caches, ready probes), but only the holder of the Lease reconciles, so builds, events and build metrics come from
 * one pod. The Quarkus extension uses this bean only in the profiles listed in
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod, see application.properties): tests
 * against the mock API server and dev mode run without it.
 *
 * <p>A replica that loses the Lease while running exits (the kubelet restarts it as a standby) rather than keep
 * reconciling from a stale view. A replica that stops (a rollout, a drain, a deleted pod) releases the Lease once its
 * reconciles have ended, so the next leader takes over at its next try (every 2 to 4.4 s: the retry period with
 * jitter) instead of when the Lease expires (15 s after the last renewal). The operator SDK does neither at
 * shutdown: it never releases, and its exit on losing the Lease, called from the shutdown thread itself, blocked the
 * JVM's exit until the kubelet killed the pod 30 s later.
 */
@Singleton
public class LeaderElection {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LeaderElection.class);
    /** Who holds the Lease: the pod's name (its HOSTNAME), as the operator SDK's default; one per JVM otherwise. */
    public static final String IDENTITY = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank())
            .orElseGet(() -> UUID.randomUUID().toString());

    /** How long a stopping replica may take to release the Lease (the pod's grace period is 30 s). */
    static final Duration RELEASE_LIMIT = Duration.ofSeconds(5);

    @Inject
    KubernetesClient client;
    /** Looked up when stopping: the operator's configuration depends on this bean's. */
    @Inject
    Instance<Operator> operator;
    /** Whether the operator SDK asked for this configuration: it does only where leader election is on (prod). */
    private volatile boolean electing;
    private volatile boolean stopping;

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElectionConfiguration() {
        LeaderElectionConfigurationBuilder lease = LeaderElectionConfigurationBuilder
                .aLeaderElectionConfiguration(OperatorSettings.leaseName())
                .withIdentity(IDENTITY)
                .withExitOnStopLeading(false)
                .withLeaderCallbacks(new LeaderCallbacks(() -> { }, this::stoppedLeading, leader -> { }));
        OperatorSettings.leaseNamespace().ifPresent(lease::withLeaseNamespace);
        electing = true;
        return lease.build();
    }

    private void stoppedLeading() {
        if (stopping) { // the operator stops: the SDK cancelled the election; releaseLease ends it
            return;
        }
        LOG.errorf("lost the Lease %s (identity %s): exiting, to come back as a standby", OperatorSettings.leaseName(),
                IDENTITY);
        Quarkus.asyncExit(1);
    }

    /** Before the operator SDK stops (its observer has the default priority, APPLICATION + 500). */
    void operatorStopping(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }

    /**
     * After the operator SDK stopped (the client is still open): once its reconcile threads have ended, releases the
     * Lease, within {@link #RELEASE_LIMIT} so that an unreachable API server does not hold the pod until its kill.
     */
    void operatorStopped(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownEvent event) {
        if (!electing) {
            return;
        }
        try {
            CompletableFuture.runAsync(() -> {
                awaitReconcilesEnded();
                releaseLease(client, OperatorSettings.leaseNamespace().orElseGet(client::getNamespace),
                        OperatorSettings.leaseName(), IDENTITY);
            }).get(RELEASE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) { // it expires on its own, 15 s after the last renewal
            LOG.warnf("the Lease was not released within %s: %s", RELEASE_LIMIT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The operator SDK stops its executors without waiting (its termination timeout is zero): it interrupts the
     * running reconciles and returns. A reconcile's last write must land before another replica may lead.
     */
    private void awaitReconcilesEnded() {
        ExecutorServiceManager executors = operator.get().getConfigurationService().getExecutorServiceManager();
        for (ExecutorService executor : List.of(executors.reconcileExecutorService(),
                executors.workflowExecutorService())) {
            try {
                boolean ended = !executor.isShutdown()
                        || executor.awaitTermination(RELEASE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                if (!ended) {
                    LOG.warn("reconciles still run after the operator stopped; releasing the Lease anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Empties the Lease's holder if {@code identity} still holds it; a replica that took it meanwhile, or a changed
     * Lease (the update carries its resourceVersion), is left alone. Returns whether it was released.
     */
    static boolean releaseLease(KubernetesClient client, String namespace, String name, String identity) {
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return false;
            }
            lease.getSpec().setHolderIdentity(null);
            client.resource(lease).update();
            LOG.infof("released the Lease %s/%s", namespace, name);
            return true;
        } catch (KubernetesClientException e) { // it expires on its own, 15 s after the last renewal
            LOG.warnf("the Lease %s/%s was not released: %s", namespace, name, e.getMessage());
            return false;
        }
    }
}
