package dev.minimalimage.operator.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.git.GitAuth;
import dev.minimalimage.git.GitRemoteException;
import dev.minimalimage.git.RemoteHeads;
import dev.minimalimage.operator.status.BranchPoll;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * spec.source.git.pollInterval: the head of the followed branch, looked up the way `git ls-remote` does (never a
 * clone) once per interval. The status keeps the commit (trackedCommit), which the planner makes part of the build
 * inputs and the revision the fetch step checks out, so a moved branch is a new build of exactly that commit.
 */
public final class BranchFollower {

    private final RemoteHeads heads = new RemoteHeads();

    /**
     * The look-up, ready to run on another thread. Called only after the pre-flight check passed (the Secret exists
     * and its git-hosts annotation allows the host): the Secret is read here, at once, so the credentials a queued
     * look-up sends are the ones that check saw, not whatever the Secret holds when the look-up gets its turn.
     * Unusable credentials are a failed look-up at once, with nothing to run.
     */
    public Supplier<BranchPoll> lookUp(KubernetesClient client, MinimalImage resource, Instant now) {
        Source.Git git = resource.getSpec().getSource().getGit();
        String time = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        GitAuth auth;
        try {
            auth = auth(client, resource);
        } catch (IllegalArgumentException e) {
            BranchPoll failed = new BranchPoll(null, "spec.source.git.credentialsSecret: " + e.getMessage(), time);
            return () -> failed;
        }
        return () -> {
            try {
                return new BranchPoll(heads.resolve(git.getUrl(), git.getRevision(), auth).commit(), null, time);
            } catch (GitRemoteException | IllegalArgumentException e) {
                return new BranchPoll(null, e.getMessage(), time);
            }
        };
    }

    private static GitAuth auth(KubernetesClient client, MinimalImage resource) {
        String name = resource.getSpec().getSource().getGit().getCredentialsSecret();
        if (name == null || name.isBlank()) {
            return GitAuth.none();
        }
        Secret secret = client.secrets().inNamespace(resource.getMetadata().getNamespace()).withName(name).get();
        Map<String, byte[]> data = new HashMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        if (secret != null && secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        return GitAuth.fromSecretData(data);
    }
}
