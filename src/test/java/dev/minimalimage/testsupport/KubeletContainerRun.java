package dev.minimalimage.testsupport;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One container of a pod run by {@link KubeletStandIn}: its resolved command line and its local process tree. */
final class KubeletContainerRun {

    final Container container;
    final ContainerStatus status;
    final boolean init;
    final Path log;
    List<String> command;
    Map<String, String> env;
    Path workDir;
    Path terminationFile;
    volatile Process process;
    Instant startedAt;
    volatile boolean finished;
    int exitCode;
    /** Every descendant seen while the container ran: like a PID namespace, they all die with the container. */
    private final Set<ProcessHandle> tracked = ConcurrentHashMap.newKeySet();

    KubeletContainerRun(Container container, ContainerStatus status, boolean init, Path log) {
        this.container = container;
        this.status = status;
        this.init = init;
        this.log = log;
    }

    String name() {
        return container.getName();
    }

    void track() {
        Process p = process;
        if (p != null) {
            p.descendants().forEach(tracked::add);
        }
    }

    /** SIGKILLs the process and every descendant (seen now or before), waiting a bounded time for them to go. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> victims = new ArrayList<>();
        p.descendants().forEach(victims::add);
        for (ProcessHandle h : tracked) {
            victims.add(h);
            h.descendants().forEach(victims::add);
        }
        p.destroyForcibly();
        victims.forEach(ProcessHandle::destroyForcibly);
        boolean interrupted = Thread.interrupted();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            p.waitFor(3, TimeUnit.SECONDS);
            for (ProcessHandle h : victims) {
                while (h.isAlive() && System.nanoTime() < until) {
                    h.destroyForcibly();
                    Thread.sleep(10);
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** After the main process exited: kills whatever it left running (a container's PID namespace dies with it). */
    void killLeftovers() {
        if (tracked.stream().anyMatch(ProcessHandle::isAlive)) {
            kill();
        }
    }
}
