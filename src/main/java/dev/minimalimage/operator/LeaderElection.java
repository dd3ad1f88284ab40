package dev.minimalimage.operator;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;

/**
 * Leader election, so the chart's {@code replicas} may be more than one: every replica starts its informers (warm
 * caches, ready probes), but only the holder of the Lease reconciles, so builds, events and build metrics come from
 * one pod. The Quarkus extension uses this bean only in the profiles listed in
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod, see application.properties): tests
 * against the mock API server and dev mode run without it.
 *
 * <p>A replica that loses the Lease exits (the kubelet restarts it as a standby) rather than keep reconciling from a
 * stale view. The Lease is not released on shutdown: after a rollout the next leader takes over when it expires
 * (the lease duration, 15 s by default).
 */
public class LeaderElection {

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElectionConfiguration() {
        LeaderElectionConfigurationBuilder lease = LeaderElectionConfigurationBuilder
                .aLeaderElectionConfiguration(OperatorSettings.leaseName())
                .withExitOnStopLeading(true);
        OperatorSettings.leaseNamespace().ifPresent(lease::withLeaseNamespace);
        return lease.build();
    }
}
