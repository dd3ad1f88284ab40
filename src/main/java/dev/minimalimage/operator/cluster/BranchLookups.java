package dev.minimalimage.operator.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.minimalimage.git.RemoteHeads;
import dev.minimalimage.operator.status.BranchPoll;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Followed branches' head look-ups, off the reconcile threads. A look-up waits on a git host (up to
 * {@link RemoteHeads#DEFAULT_TIMEOUT} per read for one that drops packets); run inside a reconcile, a few such hosts
 * would hold every reconcile thread and stall the builds of all other resources. Here a reconcile that finds a
 * look-up due starts it and goes on without a result; the look-up ends by calling {@code done} with the resource's id
 * (an event source that brings the resource back), and that next reconcile takes the result. One look-up per
 * resource at a time, at most {@link #THREADS} at once.
 */
public final class BranchLookups {

    /** Look-ups at once: enough for hosts that answer, few enough that hosts that do not cost nothing else. */
    public static final int THREADS = 4;
    /**
     * A look-up running this long has failed: JGit's timeout bounds each read, not the whole exchange, and a host that
     * sends a byte now and then would keep it running for good. Its thread stays with that host.
     */
    static final Duration LIMIT = RemoteHeads.DEFAULT_TIMEOUT.multipliedBy(3);
    /** A result nobody took (its resource was deleted or stopped following) is dropped this long after it ended. */
    static final Duration UNCLAIMED = Duration.ofMinutes(10);

    private final ExecutorService pool;
    private final Consumer<ResourceID> done;
    private final Clock clock;
    private final Map<ResourceID, Lookup> lookups = new ConcurrentHashMap<>();

    /** One look-up: what it was asked for, when it got a thread and when it ended, and its result. */
    private static final class Lookup {
        final String request;
        final CompletableFuture<BranchPoll> result = new CompletableFuture<>();
        volatile Instant running;
        volatile Instant ended;

        Lookup(String request) {
            this.request = request;
        }
    }

    public BranchLookups(Consumer<ResourceID> done) {
        this(idleThreadsEnd(new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads())), done, Clock.systemUTC());
    }

    BranchLookups(ExecutorService pool, Consumer<ResourceID> done, Clock clock) {
        this.pool = pool;
        this.done = done;
        this.clock = clock;
    }

    /**
     * The result of the look-up of {@code request} (the source it reads: URL, branch, credentials, resource uid) for
     * {@code id}, if one has ended: it is taken, so the next call starts a new look-up. Otherwise, unless one is
     * running already, starts one: {@code prepare} runs here, on the caller's thread (it reads the credentials), and
     * the look-up it returns on a look-up thread; returns empty. A look-up that threw (the API server failed to
     * hand over the Secret) throws here, once, as the reconcile that takes it would have; one that ran past
     * {@link #LIMIT} is a failed look-up.
     */
    public Optional<BranchPoll> take(ResourceID id, String request, Supplier<Supplier<BranchPoll>> prepare) {
        dropUnclaimed();
        Lookup current = lookups.get(id);
        if (current != null && current.request.equals(request)) {
            if (current.result.isDone()) {
                lookups.remove(id, current);
                return Optional.of(resultOf(current));
            }
            Instant running = current.running;
            if (running == null || clock.instant().isBefore(running.plus(LIMIT))) {
                return Optional.empty();
            }
            lookups.remove(id, current);
            return Optional.of(new BranchPoll(null, "the look-up of the branch's head did not end within "
                    + LIMIT.toSeconds() + " s", running.truncatedTo(ChronoUnit.SECONDS).toString()));
        }
        Supplier<BranchPoll> lookUp = prepare.get();
        Lookup started = new Lookup(request);
        lookups.put(id, started); // a look-up of another source ends unread: its result is not this source's
        pool.execute(() -> run(id, started, lookUp));
        return Optional.empty();
    }

    /** Whether a look-up for {@code id} was started and its result not taken yet (its end brings the resource back). */
    public boolean pending(ResourceID id) {
        return lookups.containsKey(id);
    }

    private void run(ResourceID id, Lookup lookup, Supplier<BranchPoll> lookUp) {
        if (lookups.get(id) != lookup) { // superseded by another source, or taken as failed, while it waited its turn
            lookup.result.cancel(false);
            return;
        }
        lookup.running = clock.instant();
        try {
            lookup.result.complete(lookUp.get());
        } catch (RuntimeException | Error e) {
            lookup.result.completeExceptionally(e);
        } finally {
            lookup.ended = clock.instant();
            done.accept(id);
        }
    }

    private static BranchPoll resultOf(Lookup lookup) {
        try {
            return lookup.result.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void dropUnclaimed() {
        Instant oldest = clock.instant().minus(UNCLAIMED);
        lookups.values().removeIf(lookup -> lookup.ended != null && lookup.ended.isBefore(oldest));
    }

    /** Idle threads end: a restarted application (tests, dev mode) leaves none behind. */
    private static ExecutorService idleThreadsEnd(ThreadPoolExecutor executor) {
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "branch-lookup-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
