package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.minimalimage.planning.SmokeTestPlan;

/**
 * Runs a Dockerfile's RUN on a stage's root without privileges: util-linux's unshare in new user, mount, PID and
 * network namespaces (the network namespace has no interface: no network, so that the same inputs give the same
 * image, as in the cluster). Inside, the step is root (or its USER) of a user namespace of its own, mapped to the
 * caller, or, when the caller is root, to the unprivileged {@link #HOST_UID}, which owns the stage's files: a step
 * that broke out of its root could do no more than that user can. {@code no_new_privs} is set, so no setuid program
 * gains anything. /dev/null, zero, full, random, urandom and tty are bound from the host and /proc is mounted, as
 * docker provides them; the files made for them are removed afterwards.
 */
final class RunSandbox {

    /** Who owns a stage's files and runs its steps on this host when the caller is root. */
    static final long HOST_UID = SmokeTestPlan.NON_ROOT_UID;
    private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
    /** Binds the devices, mounts /proc, then enters the root (as the step's user when that is not root). */
    private static final String SETUP = """
            set -e
            root=$1; wd=$2; uid=$3; gid=$4; shift 4
            for d in null zero full random urandom tty; do
              [ -e "$root/dev/$d" ] || : > "$root/dev/$d"
              mount --bind "/dev/$d" "$root/dev/$d"
            done
            mount -t proc proc "$root/proc"
            if [ "$uid" = 0 ]; then exec unshare --root="$root" --wd="$wd" -- "$@"; fi
            exec unshare --user --map-user="$uid" --map-group="$gid" --root="$root" --wd="$wd" -- "$@"
            """;

    private final boolean callerIsRoot = Sandbox.runningAsRoot();

    /** The step's exit code, or null when it exceeded {@code timeoutSeconds} and was killed. */
    Integer run(Path root, List<String> argv, Map<String, String> env, String workingDir, long uid, long gid,
            Path log, long timeoutSeconds) throws IOException, InterruptedException {
        List<Path> made = prepare(root, workingDir);
        try {
            List<String> command = new ArrayList<>();
            if (callerIsRoot) {
                command.addAll(List.of("setpriv", "--reuid=" + HOST_UID, "--regid=" + HOST_UID, "--clear-groups"));
            } else {
                command.add("setpriv");
            }
            command.addAll(List.of("--no-new-privs", "unshare", "--user", "--map-root-user", "--mount", "--pid",
                    "--fork", "--kill-child", "--net", "/bin/sh", "-c", SETUP, "sh", root.toString(), workingDir,
                    String.valueOf(uid), String.valueOf(gid)));
            command.addAll(argv);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                            "/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                return process.exitValue();
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            return null;
        } finally {
            for (Path path : made) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * The mount points the step needs (/dev's device files, /proc, the working directory), owned by whoever runs
     * the step; those that did not exist are returned, to be removed after it, deepest first.
     */
    private List<Path> prepare(Path root, String workingDir) throws IOException {
        List<Path> made = new ArrayList<>();
        Path dev = root.resolve("dev");
        if (!Files.isDirectory(dev, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(dev);
            Files.createDirectory(dev);
            made.add(dev);
        }
        for (String device : DEVICES) {
            Path file = dev.resolve(device);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(file);
                made.add(0, file);
            }
        }
        Path proc = root.resolve("proc");
        if (!Files.isDirectory(proc, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(proc);
            Files.createDirectory(proc);
            made.add(0, proc);
        }
        if (callerIsRoot) {
            chownTree(root);
        }
        return made;
    }

    /** Hands the stage's files to {@link #HOST_UID} (links themselves, never their targets). */
    private static void chownTree(Path root) throws IOException {
        Process chown = new ProcessBuilder("chown", "-R", "-h", HOST_UID + ":" + HOST_UID, root.toString())
                .redirectErrorStream(true).start();
        try {
            String said = new String(chown.getInputStream().readAllBytes()).strip();
            if (chown.waitFor() != 0) {
                throw new IOException("chown -R " + HOST_UID + " " + root + " failed: " + said);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing " + root + " to uid " + HOST_UID, e);
        }
    }

    /** The directories above the stage roots must let {@link #HOST_UID} pass (a temp directory is 0700). */
    static void makeTraversable(Path directory) throws IOException {
        if (Sandbox.runningAsRoot()) {
            int mode = (Integer) Files.getAttribute(directory, "unix:mode") & 07777;
            Files.setAttribute(directory, "unix:mode", mode | 0711);
        }
    }
}
