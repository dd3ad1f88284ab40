package dev.minimalimage.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.minimalimage.operator.status.BranchPoll;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Head look-ups run off the reconcile thread: a reconcile starts one and gets nothing, the look-up's end announces the
 * resource, the next reconcile takes the result once; one look-up per resource at a time; a look-up of a source that
 * changed meanwhile is not handed to the new one; one that never ends fails after a limit; a result nobody takes goes.
 */
class BranchLookupsTest {

    static final ResourceID ID = new ResourceID("app", "ns");
    static final BranchPoll HEAD = new BranchPoll("c0ffee", null, "2026-12-06T10:00:00Z");

    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final List<ResourceID> announced = new CopyOnWriteArrayList<>();
    final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T10:00:00Z"));
    final BranchLookups lookups = new BranchLookups(pool, announced::add, clock);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aLookUpRunsElsewhereAndItsResultIsTakenOnceByTheReconcileItsEndBrings() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        assertThat(lookups.take(ID, "main", prepared(() -> {
            started.incrementAndGet();
            await(release);
            return HEAD;
        }))).as("started, no result yet").isEmpty();
        assertThat(lookups.pending(ID)).isTrue();
        AtomicInteger prepared = new AtomicInteger();
        assertThat(lookups.take(ID, "main", () -> {
            prepared.incrementAndGet();
            return () -> HEAD;
        })).as("still running: not started twice").isEmpty();
        assertThat(prepared).as("nor its credentials read again").hasValue(0);

        release.countDown();
        awaitAnnounced(1);
        assertThat(announced).containsExactly(ID);
        assertThat(lookups.pending(ID)).as("ended, not taken yet").isTrue();
        assertThat(lookups.take(ID, "main", prepared(() -> HEAD))).contains(HEAD);
        assertThat(started).hasValue(1);
        assertThat(lookups.pending(ID)).as("taken").isFalse();

        assertThat(lookups.take(ID, "main", prepared(() -> HEAD))).as("the next poll is a new look-up").isEmpty();
        awaitAnnounced(2);
    }

    @Test
    void aLookUpOfASourceThatChangedWhileItRanIsNotTheNewSourcesResult() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        startRunning("main", release); // the old look-up runs: one still queued would rightly skip its turn
        BranchPoll releaseHead = new BranchPoll("beef", null, "2026-12-06T10:00:00Z");
        assertThat(lookups.take(ID, "release", prepared(() -> releaseHead))).as("another branch: looked up anew")
                .isEmpty();
        awaitAnnounced(1);
        release.countDown(); // the old look-up ends after the new one
        awaitAnnounced(2);
        assertThat(lookups.take(ID, "release", prepared(() -> HEAD))).contains(releaseHead);
        assertThat(lookups.pending(ID)).isFalse();
    }

    @Test
    void aLookUpThatThrewFailsTheReconcileThatTakesItOnceAndTheNextStartsAgain() throws Exception {
        assertThat(lookups.take(ID, "main", prepared(() -> {
            throw new IllegalStateException("the API server did not answer");
        }))).isEmpty();
        awaitAnnounced(1);
        assertThatThrownBy(() -> lookups.take(ID, "main", prepared(() -> HEAD)))
                .isInstanceOf(IllegalStateException.class).hasMessage("the API server did not answer");
        assertThat(lookups.pending(ID)).isFalse();
        assertThat(lookups.take(ID, "main", prepared(() -> HEAD))).isEmpty();
        awaitAnnounced(2);
        assertThat(lookups.take(ID, "main", prepared(() -> HEAD))).contains(HEAD);
    }

    @Test
    void aLookUpThatNeverEndsFailsAfterTheLimitAndTheNextPollStartsAnew() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        startRunning("main", never); // a host that sends a byte now and then
        clock.move(BranchLookups.LIMIT.minusSeconds(1));
        assertThat(lookups.take(ID, "main", prepared(() -> HEAD))).as("within the limit").isEmpty();
        clock.move(Duration.ofSeconds(1));
        BranchPoll failed = lookups.take(ID, "main", prepared(() -> HEAD)).orElseThrow();
        assertThat(failed.commit()).isNull();
        assertThat(failed.failure()).isEqualTo("the look-up of the branch's head did not end within 60 s");
        assertThat(failed.time()).isEqualTo("2026-12-06T10:00:00Z");
        assertThat(lookups.pending(ID)).isFalse();
        never.countDown();
    }

    @Test
    void aResultNobodyTakesIsDroppedTenMinutesAfterItEnded() throws Exception {
        ResourceID deleted = new ResourceID("deleted", "ns");
        assertThat(lookups.take(deleted, "main", prepared(() -> HEAD))).isEmpty();
        awaitAnnounced(1);
        clock.move(BranchLookups.UNCLAIMED);
        lookups.take(ID, "main", prepared(() -> HEAD));
        assertThat(lookups.pending(deleted)).as("ten minutes: kept").isTrue();
        clock.move(Duration.ofSeconds(1));
        lookups.take(ID, "other", prepared(() -> HEAD));
        assertThat(lookups.pending(deleted)).as("dropped").isFalse();
    }

    /** Starts a look-up of {@code request} that ends with {@link #HEAD} once {@code release} opens; returns when it runs. */
    private void startRunning(String request, CountDownLatch release) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        assertThat(lookups.take(ID, request, prepared(() -> {
            running.countDown();
            await(release);
            return HEAD;
        }))).isEmpty();
        assertThat(running.await(10, TimeUnit.SECONDS)).as("the look-up got a thread").isTrue();
    }

    private static Supplier<Supplier<BranchPoll>> prepared(Supplier<BranchPoll> lookUp) {
        return () -> lookUp;
    }

    private void awaitAnnounced(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (announced.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(announced).as("look-ups that ended").hasSize(count);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
