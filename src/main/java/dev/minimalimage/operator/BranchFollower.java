package dev.minimalimage.operator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.git.GitAuth;
import dev.minimalimage.git.GitRemoteException;
import dev.minimalimage.git.RemoteHeads;
import dev.minimalimage.planning.Durations;
import dev.minimalimage.planning.InvalidSpecException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * spec.source.git.pollInterval: the head of the followed branch, looked up the way `git ls-remote` does (never a
 * clone) once per interval. The status keeps the commit (trackedCommit), which the planner makes part of the build
 * inputs and the revision the fetch step checks out, so a moved branch is a new build of exactly that commit.
 */
final class BranchFollower {

    private final RemoteHeads heads = new RemoteHeads();

    /** What one poll found: the head, or why it could not be read (masked, no credentials). */
    record Poll(String commit, String failure, String time) {
    }

    static Optional<Duration> interval(MinimalImage resource) {
        Source.Git git = resource.getSpec() == null || resource.getSpec().getSource() == null ? null
                : resource.getSpec().getSource().getGit();
        if (git == null || git.getPollInterval() == null || git.getPollInterval().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Durations.pollInterval(git.getPollInterval())));
        } catch (InvalidSpecException e) {
            return Optional.empty(); // the planner reports the bad value
        }
    }

    /** When the branch should be looked at next: at once if never polled. */
    static Instant nextPoll(MinimalImageStatus status, Duration interval) {
        return status == null || status.getLastPollTime() == null ? Instant.EPOCH
                : Instant.parse(status.getLastPollTime()).plus(interval);
    }

    /** Called only after the pre-flight check passed: the Secret exists and its git-hosts annotation allows the host. */
    Poll poll(KubernetesClient client, MinimalImage resource, Instant now) {
        Source.Git git = resource.getSpec().getSource().getGit();
        String time = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        try {
            return new Poll(heads.resolve(git.getUrl(), git.getRevision(), auth(client, resource)).commit(), null, time);
        } catch (GitRemoteException e) {
            return new Poll(null, e.getMessage(), time);
        } catch (IllegalArgumentException e) {
            return new Poll(null, "spec.source.git.credentialsSecret: " + e.getMessage(), time);
        }
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
