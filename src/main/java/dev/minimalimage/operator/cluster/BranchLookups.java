package dev.minimalimage.operator.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.minimalimage.operator.status.BranchPoll;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Followed branches' head look-ups, off the reconcile threads. A look-up waits on a git host (up to
 * {@code RemoteHeads.DEFAULT_TIMEOUT} for one that drops packets); run inside a reconcile, a few such hosts would hold
 * every reconcile thread and stall the builds of all other resources. Here a reconcile that finds a look-up due starts
 * it and goes on without a result; the look-up ends by calling {@code done} with the resource's id (an event source
 * that brings the resource back), and that next reconcile takes the result. One look-up per resource at a time, at
 * most {@link #THREADS} at once.
 */
public final class BranchLookups {

    /** Look-ups at once: enough for hosts that answer, few enough that hosts that do not cost nothing else. */
    public static final int THREADS = 4;
    /** A result nobody took (its resource was deleted or stopped following) is dropped after this long. */
    static final Duration UNCLAIMED = Duration.ofMinutes(10);

    private final ExecutorService pool;
    private final Consumer<ResourceID> done;
    private final Clock clock;
    private final Map<ResourceID, Lookup> lookups = new ConcurrentHashMap<>();

    /** One look-up: what it was asked for, and its result once there. */
    private record Lookup(String request, CompletableFuture<BranchPoll> result, Instant started) {
    }

    public BranchLookups(Consumer<ResourceID> done) {
        this(Executors.newFixedThreadPool(THREADS, daemonThreads()), done, Clock.systemUTC());
    }

    BranchLookups(ExecutorService pool, Consumer<ResourceID> done, Clock clock) {
        this.pool = pool;
        this.done = done;
        this.clock = clock;
    }

    /**
     * The result of the look-up of {@code request} (the source it reads: URL, branch, credentials, resource uid) for
     * {@code id}, if one has ended: it is taken, so the next call starts a new look-up. Otherwise starts
     * {@code lookUp} unless it is running already, and returns empty. A look-up that threw (the API server failed to
     * hand over the Secret) throws here, once, as the reconcile that takes it would have.
     */
    public Optional<BranchPoll> take(ResourceID id, String request, Supplier<BranchPoll> lookUp) {
        dropUnclaimed();
        Lookup current = lookups.get(id);
        if (current != null && current.request().equals(request)) {
            if (!current.result().isDone()) {
                return Optional.empty();
            }
            lookups.remove(id, current);
            try {
                return Optional.of(current.result().join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        Lookup started = new Lookup(request, new CompletableFuture<>(), clock.instant());
        lookups.put(id, started); // a running look-up of another source ends unread: its result is not this source's
        pool.execute(() -> {
            try {
                started.result().complete(lookUp.get());
            } catch (RuntimeException | Error e) {
                started.result().completeExceptionally(e);
            } finally {
                done.accept(id);
            }
        });
        return Optional.empty();
    }

    /**
     * Whether a look-up for {@code id} was started and its result not taken yet: running, or ended a moment ago (its
     * end brings the resource back either way). Asked after {@link #take}, so a look-up that ends in between still
     * counts as pending, never as "not looked up".
     */
    public boolean pending(ResourceID id) {
        return lookups.containsKey(id);
    }

    private void dropUnclaimed() {
        Instant oldest = clock.instant().minus(UNCLAIMED);
        lookups.entrySet().removeIf(e -> e.getValue().result().isDone() && e.getValue().started().isBefore(oldest));
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "branch-lookup-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
