package dev.minimalimage.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.minimalimage.operator.status.BranchPoll;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Head look-ups run off the reconcile thread: a reconcile starts one and gets nothing, the look-up's end announces the
 * resource, the next reconcile takes the result once; one look-up per resource at a time; a look-up of a source that
 * changed meanwhile is not handed to the new one.
 */
class BranchLookupsTest {

    static final ResourceID ID = new ResourceID("app", "ns");
    static final BranchPoll HEAD = new BranchPoll("c0ffee", null, "2026-12-06T10:00:00Z");

    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final List<ResourceID> announced = new CopyOnWriteArrayList<>();
    final BranchLookups lookups = new BranchLookups(pool, announced::add,
            Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC));

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aLookUpRunsElsewhereAndItsResultIsTakenOnceByTheReconcileItsEndBrings() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        assertThat(lookups.take(ID, "main", () -> {
            started.incrementAndGet();
            await(release);
            return HEAD;
        })).as("started, no result yet").isEmpty();
        assertThat(lookups.pending(ID)).isTrue();
        assertThat(lookups.take(ID, "main", () -> {
            started.incrementAndGet();
            return HEAD;
        })).as("still running: not started twice").isEmpty();

        release.countDown();
        awaitAnnounced(1);
        assertThat(announced).containsExactly(ID);
        assertThat(lookups.pending(ID)).as("ended, not taken yet").isTrue();
        assertThat(lookups.take(ID, "main", () -> HEAD)).contains(HEAD);
        assertThat(started).hasValue(1);
        assertThat(lookups.pending(ID)).as("taken").isFalse();

        assertThat(lookups.take(ID, "main", () -> HEAD)).as("the next poll is a new look-up").isEmpty();
        awaitAnnounced(2);
    }

    @Test
    void aResultOfASourceThatChangedMeanwhileIsNotTheNewSourcesResult() throws Exception {
        assertThat(lookups.take(ID, "main", () -> HEAD)).isEmpty();
        awaitAnnounced(1);
        BranchPoll release = new BranchPoll("beef", null, "2026-12-06T10:00:00Z");
        assertThat(lookups.take(ID, "release", () -> release)).as("another branch: looked up anew").isEmpty();
        awaitAnnounced(2);
        assertThat(lookups.take(ID, "release", () -> HEAD)).contains(release);
    }

    @Test
    void aLookUpThatThrewFailsTheReconcileThatTakesItOnceAndTheNextStartsAgain() throws Exception {
        assertThat(lookups.take(ID, "main", () -> {
            throw new IllegalStateException("the API server did not answer");
        })).isEmpty();
        awaitAnnounced(1);
        assertThatThrownBy(() -> lookups.take(ID, "main", () -> HEAD)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the API server did not answer");
        assertThat(lookups.pending(ID)).isFalse();
        assertThat(lookups.take(ID, "main", () -> HEAD)).isEmpty();
        awaitAnnounced(2);
        assertThat(lookups.take(ID, "main", () -> HEAD)).contains(HEAD);
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
}
