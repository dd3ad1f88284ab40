package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.minimalimage.planning.SmokeTestPlan;

/**
 * Runs a program from a directory as its root with util-linux's unshare, in new mount, network and PID namespaces:
 * the network namespace has no interface up (no egress, like the operator's deny-all NetworkPolicy), and killing
 * unshare ends every process the program started. As root it drops to the user (no supplementary groups, no
 * capabilities); otherwise an unprivileged user namespace maps the caller to that user. Not chroot(1): it always
 * changes to /, which would ignore the image's WorkingDir.
 */
final class Sandbox {

    static final Sandbox HOST = new Sandbox("unshare");
    private static final List<String> NAMESPACES = List.of("--mount", "--net", "--pid", "--fork", "--kill-child");
    private static final long PROBE_SECONDS = 10;

    private final String unshare;

    /** {@code unshare}: the executable (tests name a stand-in that behaves like a host without user namespaces). */
    Sandbox(String unshare) {
        this.unshare = unshare;
    }

    /**
     * The numeric user a smoke test runs as: the image's UID[:GID] (GID defaults to UID, as --passwd writes it),
     * but never root: like the operator's smoke-test pod, root becomes {@link SmokeTestPlan#NON_ROOT_UID}.
     */
    record User(long uid, long gid, boolean rootReplaced) {

        /** Null when the image names its user by name: which uid that is, only its own /etc/passwd could say. */
        static User of(String imageUser) {
            String[] parts = imageUser.split(":", 2);
            if (!parts[0].matches("[0-9]+") || parts.length == 2 && !parts[1].matches("[0-9]+")) {
                return null;
            }
            long uid = Long.parseLong(parts[0]);
            if (uid == 0) {
                return new User(SmokeTestPlan.NON_ROOT_UID, SmokeTestPlan.NON_ROOT_UID, true);
            }
            return new User(uid, parts.length == 2 ? Long.parseLong(parts[1]) : uid, false);
        }

        @Override
        public String toString() {
            return uid + ":" + gid;
        }
    }

    /** The command line running {@code argv} inside {@code root}, in {@code workingDir}, as {@code user}. */
    List<String> command(Path root, String workingDir, User user, List<String> argv) {
        List<String> command = namespacesAs(user);
        command.addAll(List.of("--root=" + root, "--wd=" + workingDir, "--"));
        command.addAll(argv);
        return command;
    }

    /** Null when this host lets us enter these namespaces as {@code user}; else why not, in unshare's words. */
    String unavailable(User user) throws InterruptedException {
        List<String> probe = namespacesAs(user);
        probe.add("true"); // the host's: the probe asks for the namespaces, not for the image
        try {
            Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
            if (!process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", probe) + " did not finish within " + PROBE_SECONDS + "s";
            }
            String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.exitValue() == 0 ? null
                    : String.join(" ", probe) + " exited with " + process.exitValue() + (said.isEmpty() ? "" : ": " + said);
        } catch (IOException e) {
            return "cannot run " + unshare + ": " + e.getMessage();
        }
    }

    private List<String> namespacesAs(User user) {
        List<String> command = new ArrayList<>(List.of(unshare));
        if (runningAsRoot()) {
            command.addAll(List.of("--setgid=" + user.gid(), "--setuid=" + user.uid()));
        } else { // the files unpacked by the caller then belong to that user inside, not to root
            command.addAll(List.of("--map-user=" + user.uid(), "--map-group=" + user.gid()));
        }
        command.addAll(NAMESPACES);
        return command;
    }

    /** /proc/self belongs to the effective user of the process looking at it. */
    static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
