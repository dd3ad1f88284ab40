package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    /** Where the user-mode emulators for foreign images are looked for (see {@link Emulation}). */
    private final String searchPath;

    /** {@code unshare}: the executable (tests name a stand-in that behaves like a host without user namespaces). */
    Sandbox(String unshare) {
        this(unshare, System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    private Sandbox(String unshare, String searchPath) {
        this.unshare = unshare;
        this.searchPath = searchPath;
    }

    /** This sandbox finding emulators on {@code path} only (tests: a host without qemu-user). */
    Sandbox withSearchPath(String path) {
        return new Sandbox(unshare, path);
    }

    String searchPath() {
        return searchPath;
    }

    /**
     * The numeric user a smoke test runs as, resolved as containerd and runc resolve an image's UID[:GID]: the
     * explicit GID, else the GID of the UID's entry in the image's own /etc/passwd, else 0. Never root: like the
     * operator's smoke-test pod, root becomes {@link SmokeTestPlan#NON_ROOT_UID} (an explicit GID stays).
     */
    record User(long uid, long gid, boolean rootReplaced) {

        /**
         * {@code root}: the unpacked image. Null when the image names its user by name: which uid that is, only its
         * own /etc/passwd could say.
         */
        static User of(String imageUser, Path root) throws IOException {
            String[] parts = imageUser.split(":", 2);
            if (!parts[0].matches("[0-9]+") || parts.length == 2 && !parts[1].matches("[0-9]+")) {
                return null;
            }
            long imageUid = Long.parseLong(parts[0]);
            long uid = imageUid == 0 ? SmokeTestPlan.NON_ROOT_UID : imageUid;
            long gid = parts.length == 2 ? Long.parseLong(parts[1]) : passwdGid(root, uid);
            return new User(uid, gid, imageUid == 0);
        }

        /**
         * The GID of the first well-formed entry for {@code uid} in the image's /etc/passwd, else 0. A link there is
         * not followed: read from this host, it could lead out of the image (images this tool assembles have a
         * plain file).
         */
        private static long passwdGid(Path root, long uid) throws IOException {
            Path etc = root.resolve("etc");
            Path passwd = etc.resolve("passwd");
            if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)
                    || !Files.isRegularFile(passwd, LinkOption.NOFOLLOW_LINKS)) {
                return 0;
            }
            String text = new String(Files.readAllBytes(passwd), StandardCharsets.UTF_8);
            return text.lines().map(line -> line.strip().split(":", -1))
                    .filter(f -> f.length >= 4 && f[2].matches("[0-9]{1,18}") && f[3].matches("[0-9]{1,18}"))
                    .filter(f -> Long.parseLong(f[2]) == uid)
                    .mapToLong(f -> Long.parseLong(f[3])).findFirst().orElse(0);
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
