package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;

/**
 * The silent deadlines as a table at a fixed instant: a reconcile that writes this status is woken again after this
 * long (one second past the deadline, as timestamps have one-second resolution), or not at all. The real timers run
 * once on the real cluster (ExamplesIT's followed branch, ClusterIT's retry and smoke-test cases).
 */
class TimersTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("a built resource that follows no branch sleeps until an event",
                        status(Phase.Succeeded), Optional.empty(), Optional.empty(), null),
                Arguments.of("a followed branch polled 40 s ago with a 1m interval is looked at again in 20 s",
                        polled(Phase.Succeeded, NOW.minusSeconds(40)), Optional.of(Duration.ofMinutes(1)),
                        Optional.empty(), Duration.ofSeconds(21)),
                Arguments.of("a poll overdue (the operator was down) is due at once",
                        polled(Phase.Succeeded, NOW.minusSeconds(600)), Optional.of(Duration.ofMinutes(1)),
                        Optional.empty(), Duration.ofSeconds(1)),
                Arguments.of("a retry's back-off ends at nextAttemptTime",
                        retrying(NOW.plusSeconds(10)), Optional.empty(), Optional.empty(), Duration.ofSeconds(11)),
                Arguments.of("a queued build looks again every 30 s in case its wake-up was lost to a restart",
                        status(Phase.Queued), Optional.empty(), Optional.empty(), Duration.ofSeconds(31)),
                Arguments.of("a smoke-tested server is judged at its deadline, the earliest of all",
                        polled(Phase.Pending, NOW), Optional.of(Duration.ofMinutes(1)),
                        Optional.of(NOW.plusSeconds(2)), Duration.ofSeconds(3)),
                Arguments.of("a followed branch never polled is looked at at once",
                        status(Phase.Succeeded), Optional.of(Duration.ofMinutes(5)), Optional.empty(),
                        Duration.ofSeconds(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void wakesAtTheEarliestSilentDeadline(String row, MinimalImageStatus written, Optional<Duration> pollInterval,
            Optional<Instant> smokeDeadline, Duration expected) {
        // as Timers.next(Observation, ...) derives it from spec.source.git.pollInterval
        Optional<Duration> nextPoll = pollInterval
                .map(interval -> Duration.between(NOW, PollSchedule.nextPoll(written, interval)));
        Optional<Duration> next = Timers.next(false, written, null, Optional.empty(), NOW, nextPoll, smokeDeadline);
        assertThat(next).isEqualTo(Optional.ofNullable(expected));
    }

    static MinimalImageStatus status(Phase phase) {
        MinimalImageStatus status = new MinimalImageStatus();
        status.setPhase(phase);
        return status;
    }

    static MinimalImageStatus polled(Phase phase, Instant at) {
        MinimalImageStatus status = status(phase);
        status.setLastPollTime(at.toString());
        return status;
    }

    static MinimalImageStatus retrying(Instant next) {
        MinimalImageStatus status = status(Phase.Pending);
        status.setNextAttemptTime(next.toString());
        return status;
    }
}
