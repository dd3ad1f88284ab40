package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The retry policy with a fake clock: the sleeper advances it, so nothing here waits. */
class RegistryRetryTest {

    private final AtomicLong now = new AtomicLong();
    private final List<Duration> waits = new ArrayList<>();
    private final List<String> log = new ArrayList<>();

    private RegistryRetry retry(Duration budget, int maxAttempts, double jitter) {
        return new RegistryRetry(budget, maxAttempts, now::get, d -> {
            waits.add(d);
            now.addAndGet(d.toNanos());
        }, () -> jitter);
    }

    private static PushException unavailable(Duration retryAfter) {
        return new PushException(PushException.Kind.UNAVAILABLE, "registry r:5000 answered 503", null, true, retryAfter);
    }

    @Test
    void backoffDoublesWithJitterAndIsCappedPerWait() {
        RegistryRetry low = retry(Duration.ofMinutes(2), 0, 0.0);
        RegistryRetry high = retry(Duration.ofMinutes(2), 0, 0.999999);
        assertThat(low.backoff(1)).isEqualTo(Duration.ofMillis(250));
        assertThat(high.backoff(1)).isEqualTo(Duration.ofMillis(499));
        assertThat(low.backoff(3)).isEqualTo(Duration.ofMillis(1000));
        assertThat(high.backoff(3)).isEqualTo(Duration.ofMillis(1999));
        assertThat(high.backoff(6)).isEqualTo(Duration.ofMillis(14999)); // 16 s capped to 15 s
        assertThat(high.backoff(40)).isLessThanOrEqualTo(RegistryRetry.MAX_BACKOFF);
        assertThat(low.backoff(40)).isEqualTo(Duration.ofMillis(7500));
    }

    @Test
    void retriesUntilTheBudgetIsSpentThenSaysHowLongItTried() throws Exception {
        RegistryRetry retry = retry(Duration.ofSeconds(60), 0, 1.0);
        PushException last = null;
        try {
            while (true) {
                now.addAndGet(Duration.ofMillis(100).toNanos()); // each attempt takes a while
                retry.afterFailure(unavailable(null), log::add);
            }
        } catch (PushException e) {
            last = e;
        }
        assertThat(last.kind()).isEqualTo(PushException.Kind.UNAVAILABLE);
        assertThat(last.getMessage()).startsWith("gave up after trying for 1m (").contains("--registry-retry-timeout 1m")
                .endsWith("last error: registry r:5000 answered 503");
        // 0.5 + 1 + 2 + 4 + 8 + 15 + 15 ... and the last wait shortened to end exactly at the budget
        assertThat(waits.subList(0, 6)).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(15));
        assertThat(waits).allMatch(w -> w.compareTo(RegistryRetry.MAX_BACKOFF) <= 0);
        assertThat(Duration.ofNanos(now.get())).isLessThanOrEqualTo(Duration.ofSeconds(60).plusMillis(100));
        assertThat(log).hasSize(waits.size()).allMatch(line -> line.startsWith("push attempt ")
                && line.contains("failed (registry r:5000 answered 503); retrying in "));
        assertThat(retry.attempts()).isEqualTo(waits.size() + 1);
    }

    @Test
    void retryAfterIsHonouredEvenAboveTheBackoffCapButNeverBeyondTheBudget() throws Exception {
        RegistryRetry retry = retry(Duration.ofSeconds(30), 0, 0.0);
        retry.afterFailure(unavailable(Duration.ofSeconds(2)), log::add);
        retry.afterFailure(unavailable(Duration.ofSeconds(20)), log::add);
        retry.afterFailure(unavailable(Duration.ofSeconds(20)), log::add); // only 8 s left
        assertThat(waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofSeconds(8));
        assertThat(log.get(0)).contains("retrying in 2.0 s (Retry-After 2.0 s)");
        assertThatThrownBy(() -> retry.afterFailure(unavailable(Duration.ofSeconds(2)), log::add))
                .isInstanceOf(PushException.class).hasMessageContaining("gave up after trying for 30.0 s (4 attempts");
    }

    @Test
    void finalFailuresAndTheAttemptCapStopAtOnce() throws Exception {
        PushException unauthorized = new PushException(PushException.Kind.UNAUTHORIZED, "registry r answered 401", null);
        assertThatThrownBy(() -> retry(Duration.ofMinutes(2), 0, 0.5).afterFailure(unauthorized, log::add))
                .isSameAs(unauthorized);
        RegistryRetry capped = retry(Duration.ofMinutes(2), 2, 0.5);
        capped.afterFailure(unavailable(null), log::add);
        assertThatThrownBy(() -> capped.afterFailure(unavailable(null), log::add))
                .hasMessageContaining("(2 attempts");
        assertThatThrownBy(() -> retry(Duration.ZERO, 0, 0.5).afterFailure(unavailable(null), log::add))
                .hasMessageContaining("(1 attempt,");
        assertThat(waits).hasSize(1);
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        assertThat(RegistryRetry.parseRetryAfter("7", now)).contains(Duration.ofSeconds(7));
        assertThat(RegistryRetry.parseRetryAfter(" 0 ", now)).contains(Duration.ZERO);
        assertThat(RegistryRetry.parseRetryAfter("Fri, 02 Jan 2026 03:04:35 GMT", now)).contains(Duration.ofSeconds(30));
        assertThat(RegistryRetry.parseRetryAfter("Fri, 02 Jan 2026 03:00:00 GMT", now)).contains(Duration.ZERO);
        assertThat(RegistryRetry.parseRetryAfter("soon", now)).isEmpty();
        assertThat(RegistryRetry.parseRetryAfter("-3", now)).isEmpty();
        assertThat(RegistryRetry.parseRetryAfter("99999999999999999999999", now)).isEmpty();
        assertThat(RegistryRetry.parseRetryAfter(null, now)).isEmpty();
    }
}
