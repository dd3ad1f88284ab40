package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/**
 * A stopping replica empties the Lease's holder only while it holds it (a standby that took it keeps it), and
 * Fabric8's leader elector, as the operator SDK runs it in the standby, takes an emptied Lease at its next try but
 * not a held one. That the old pod releases it as it stops and ends without waiting for its kill is proven on the
 * real cluster (ClusterIT's two replicas).
 */
@EnableKubernetesMockClient(crud = true)
class LeaseReleaseTest {

    static final String NAMESPACE = "mimg-system";
    static final String NAME = "minimal-image-operator";

    KubernetesClient client;

    @Test
    void theHolderReleasesItsLease() {
        holder("operator-a");
        assertThat(LeaderElection.releaseLease(client, NAMESPACE, NAME, "operator-a")).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isNullOrEmpty();
    }

    @Test
    void aLeaseSomeoneElseHoldsIsLeftAlone() {
        holder("operator-b");
        assertThat(LeaderElection.releaseLease(client, NAMESPACE, NAME, "operator-a")).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("operator-b");
    }

    @Test
    void noLeaseNothingToRelease() {
        assertThat(LeaderElection.releaseLease(client, NAMESPACE, NAME, "operator-a")).isFalse();
        assertThat(lease()).isNull();
    }

    @Test
    void aStandbyTakesAReleasedLeaseAtItsNextTry() throws InterruptedException {
        holder("operator-a");
        LeaderElection.releaseLease(client, NAMESPACE, NAME, "operator-a");
        assertThat(standbyLeadsWithin(Duration.ofSeconds(5))).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("operator-b");
    }

    @Test
    void aStandbyWaitsForAHeldLeaseToExpire() throws InterruptedException {
        holder("operator-a"); // renewed just now, for 15 s
        assertThat(standbyLeadsWithin(Duration.ofSeconds(2))).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("operator-a");
    }

    /** A replica "operator-b" running Fabric8's elector (retrying every 200 ms): does it lead within {@code limit}? */
    boolean standbyLeadsWithin(Duration limit) throws InterruptedException {
        CountDownLatch leading = new CountDownLatch(1);
        CompletableFuture<?> election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("standby").withLock(new LeaseLock(NAMESPACE, NAME, "operator-b"))
                .withLeaseDuration(Duration.ofSeconds(15)).withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofMillis(200))
                .withLeaderCallbacks(new LeaderCallbacks(leading::countDown, () -> { }, leader -> { })).build())
                .build().start();
        try {
            return leading.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            election.cancel(true);
        }
    }

    void holder(String identity) {
        ZonedDateTime now = ZonedDateTime.now();
        client.resource(new LeaseBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(15).withAcquireTime(now)
                .withRenewTime(now).withLeaseTransitions(0).endSpec().build()).create();
    }

    Lease lease() {
        return client.leases().inNamespace(NAMESPACE).withName(NAME).get();
    }
}
