package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/**
 * A stopping replica empties the Lease's holder only while it holds it (a standby that took it keeps it). That a
 * standby then takes over at once, and that the old pod ends without waiting for its kill, is proven on the real
 * cluster (ClusterIT's two replicas).
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

    void holder(String identity) {
        client.resource(new LeaseBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(15).endSpec().build()).create();
    }

    Lease lease() {
        return client.leases().inNamespace(NAMESPACE).withName(NAME).get();
    }
}
