package dev.minimalimage.image;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The retry policy of one push: transient registry failures are retried with exponential backoff (equal jitter,
 * 500 ms doubling, at most {@link #MAX_BACKOFF} per wait) or, when the registry sent {@code Retry-After}, after exactly
 * that long, until a total time budget is spent. No wait reaches beyond the budget: the last one is shortened so that
 * one final attempt happens at its end. An attempt that is already under way when the budget ends is not cut short, so
 * the total can exceed the budget by one attempt (bounded by Jib's HTTP timeout).
 *
 * <p>Clock, sleeper and jitter source are injected so the policy is unit-testable without waiting.
 */
public final class RegistryRetry {

    /** The one place that holds the default of --registry-retry-timeout. */
    public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(2);
    public static final String DEFAULT_BUDGET_TEXT = "2m";
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    /** Sleeps; a test's sleeper advances its fake clock instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Duration budget;
    private final int maxAttempts;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final long started;
    private int attempts;

    /**
     * @param budget total time for all attempts and waits (zero: a single attempt)
     * @param maxAttempts an additional cap on attempts; 0 or less means only the budget counts
     * @param jitter uniform values in [0, 1)
     */
    RegistryRetry(Duration budget, int maxAttempts, LongSupplier nanoTime, Sleeper sleeper, DoubleSupplier jitter) {
        this.budget = budget == null ? DEFAULT_BUDGET : budget;
        this.maxAttempts = maxAttempts;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.jitter = jitter;
        this.started = nanoTime.getAsLong();
    }

    /** With the system's monotonic clock, Thread.sleep and a thread-local random jitter. */
    public static RegistryRetry start(Duration budget, int maxAttempts) {
        return new RegistryRetry(budget, maxAttempts, System::nanoTime, d -> Thread.sleep(d.toMillis()),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * Called after attempt number {@link #attempts()} failed with {@code failure}: when the failure is transient and
     * the budget allows, logs one line, waits and returns normally (the caller tries again); otherwise throws the
     * failure itself (not transient) or a RegistryUnavailable failure saying how long it tried and the last error.
     */
    public void afterFailure(PushException failure, Consumer<String> log) throws PushException, InterruptedException {
        attempts++;
        if (!failure.isTransient()) {
            throw failure;
        }
        Duration remaining = budget.minus(elapsed());
        if (remaining.isNegative() || remaining.isZero() || (maxAttempts > 0 && attempts >= maxAttempts)) {
            throw new PushException(PushException.Kind.UNAVAILABLE, "gave up after trying for " + format(elapsed())
                    + " (" + attempts + (attempts == 1 ? " attempt" : " attempts") + ", --registry-retry-timeout "
                    + format(budget) + "); last error: " + failure.getMessage(), failure);
        }
        Duration proposed = failure.retryAfter() != null ? failure.retryAfter() : backoff(attempts);
        Duration wait = proposed.compareTo(remaining) > 0 ? remaining : proposed;
        log.accept("push attempt " + attempts + " failed (" + failure.getMessage() + "); retrying in " + format(wait)
                + (failure.retryAfter() != null ? " (Retry-After " + format(failure.retryAfter()) + ")" : "")
                + ", " + format(remaining) + " of " + format(budget) + " left");
        sleeper.sleep(wait);
    }

    /** Equal jitter: half of the doubled backoff fixed, half random; never above {@link #MAX_BACKOFF}. */
    Duration backoff(int failedAttempts) {
        long base = FIRST_BACKOFF.toMillis() << Math.min(failedAttempts - 1, 20);
        long capped = Math.min(base, MAX_BACKOFF.toMillis());
        return Duration.ofMillis(capped / 2 + (long) (jitter.getAsDouble() * (capped - capped / 2)));
    }

    public int attempts() {
        return attempts;
    }

    Duration elapsed() {
        return Duration.ofNanos(nanoTime.getAsLong() - started);
    }

    /**
     * The wait a {@code Retry-After} header asks for: delay-seconds or an HTTP-date (RFC 9110), relative to {@code now};
     * empty when absent or unparsable; a date in the past is a zero wait.
     */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException tooLarge) {
                return Optional.empty();
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** "850 ms", "2.0 s", "1m30s". */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = d.toSeconds();
        return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s");
    }
}
