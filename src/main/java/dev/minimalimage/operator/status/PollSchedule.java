package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.planning.Durations;
import dev.minimalimage.planning.InvalidSpecException;

/** spec.source.git.pollInterval: whether a resource follows a branch, and when its head is due for a look-up. */
public final class PollSchedule {

    private PollSchedule() {
    }

    public static Optional<Duration> interval(MinimalImage resource) {
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
    public static Instant nextPoll(MinimalImageStatus status, Duration interval) {
        return status == null || status.getLastPollTime() == null ? Instant.EPOCH
                : Instant.parse(status.getLastPollTime()).plus(interval);
    }
}
