package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.image.closure.Closure;
import dev.minimalimage.image.closure.LibraryClosure;
import dev.minimalimage.planning.BuilderLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Copies this program (its Java runtime, the application and the runtime's own loader and libraries) into a directory
 * and writes a launcher that starts it with that loader, so it runs in another container whatever that container's
 * libc (glibc of another release, musl, none). The operator's builder pod runs it from the builder image, into a
 * volume that the compile step (the toolchain image) mounts read-only: bundle mode needs the closure resolver where
 * the libraries are, which is where the compile ran; a Dockerfile's stage containers run their steps with it. Where
 * the next step is the pod's regular container, not an init container's successor, {@code --hold} lets a postStart
 * hook hold that step until the copy is complete.
 */
@Command(name = "stage-runtime", mixinStandardHelpOptions = true,
        description = { "Copies this minimal-image into --to, with a launcher that runs it in any Linux root.",
                "That is the Java runtime, the application, the loader and the libraries they need, and",
                "--to/bin/minimal-image." })
final class StageRuntimeCommand implements Callable<Integer> {

    static final String LAUNCHER = "bin/minimal-image";
    /**
     * What the compile step's environment (the toolchain image's ENV, spec.language.env, a custom script) must not
     * pass to our JVM or loader: agents and options for another JVM, preloaded or audit libraries of the toolchain's
     * libc, and a library path that would make the java launcher re-exec itself without our loader.
     */
    static final List<String> UNSET = List.of("LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH");
    /**
     * The jar `java -jar` starts: the builder image's plain launcher jar (scripts/image.sh --component builder) or
     * the Quarkus application's runner (the operator image, a development build).
     */
    static final List<String> RUNNERS = List.of("minimal-image.jar", "quarkus-run.jar");

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "where the copy goes")
    Path to;

    @Option(names = "--java-home", paramLabel = "DIR", description = "the Java runtime to copy (default: this one's)")
    Path javaHome = Path.of(System.getProperty("java.home"));

    @Option(names = "--app", paramLabel = "DIR", description = { "the application directory, holding "
            + "minimal-image.jar or quarkus-run.jar",
            "(default: the directory of the jar this process runs from)" })
    Path app;

    @Option(names = "--hold", paramLabel = "FILE", description = { "builder pods: once copied, write FILE and wait",
            "until it is gone (--hold-timeout): the container's postStart hook removes it, and the kubelet starts",
            "the pod's next container only once that hook has returned" })
    Path hold;

    @Option(names = "--hold-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long --hold waits for the hook at most (default ${DEFAULT-VALUE})")
    long holdTimeoutSeconds;

    /** How often --hold looks whether the hook took its file. */
    private static final long HOLD_POLL_MILLIS = 10;
    /**
     * How long the container stays after the hook took the file: the hook's exec still has to end and report, and a
     * container that ends first ends the exec with it (a failed hook to the kubelet). Nothing waits for this end:
     * the next container started when the hook returned.
     */
    private static final long HOLD_GRACE_MILLIS = 500;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, ElfFormatException, InterruptedException {
        if (hold != null && holdTimeoutSeconds < 1) {
            throw new IllegalArgumentException("--hold-timeout must be at least 1 (seconds): " + holdTimeoutSeconds);
        }
        copy();
        return hold == null ? ExitCodes.OK : handOver();
    }

    /**
     * The copy is complete: say so, and stay until the postStart hook has seen it. A container that ended earlier
     * would end the hook's exec with it (a failed hook, and the kubelet kills the container), and the kubelet must
     * not start the next container before the hook returns.
     */
    private int handOver() throws IOException, InterruptedException {
        Files.writeString(hold, "copied\n");
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(holdTimeoutSeconds).toNanos();
        while (Files.exists(hold, LinkOption.NOFOLLOW_LINKS)) {
            if (System.nanoTime() > deadline) {
                spec.commandLine().getErr().println("stage-runtime: no postStart hook took " + hold + " within "
                        + holdTimeoutSeconds + "s");
                return ExitCodes.INTERNAL;
            }
            Thread.sleep(HOLD_POLL_MILLIS);
        }
        Thread.sleep(HOLD_GRACE_MILLIS);
        return ExitCodes.OK;
    }

    private void copy() throws IOException, ElfFormatException {
        Path application = app != null ? app : runningApplication();
        String runner = RUNNERS.stream().filter(name -> Files.isRegularFile(application.resolve(name))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--app " + application + " holds no "
                        + String.join(" or ", RUNNERS)));
        Path javaCopy = to.resolve("java");
        Path appCopy = to.resolve("app");
        Path libraries = to.resolve("lib");
        copyTree(javaHome.toRealPath(), javaCopy);
        copyTree(application.toRealPath(), appCopy);
        Closure closure = LibraryClosure.resolve(List.of(javaHome.toRealPath()), Path.of("/"));
        int copied = copyFlat(closure, libraries);
        Files.copy(libraries.resolve(fileName(interpreter(closure))), to.resolve(BuilderLayout.RUNTIME_LOADER),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(to.resolve(BuilderLayout.RUNTIME_JAR), Path.of(runner));
        Path launcher = to.resolve(LAUNCHER);
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, launcherScript(to));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        spec.commandLine().getErr().println("stage-runtime: " + launcher + " runs a copy of this minimal-image ("
                + copied + " library files)");
    }

    /** The directory of the runner jar when this process was started with java -jar .../RUNNER. */
    private static Path runningApplication() {
        Path jar = Path.of(System.getProperty("java.class.path", ""));
        if (jar.getFileName() == null || !RUNNERS.contains(jar.getFileName().toString())) {
            throw new IllegalArgumentException("not started from " + String.join(" or ", RUNNERS)
                    + ": name the application with --app");
        }
        return jar.toAbsolutePath().getParent();
    }

    /**
     * Every library (and the loader) as a regular file in one directory, under the names the loader asks for: a link
     * in the copy (e.g. /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...) would resolve in the other
     * container's root and load its loader against our libc. Links to directories (/lib -> usr/lib) are not files.
     */
    private static int copyFlat(Closure closure, Path target) throws IOException {
        Files.createDirectories(target);
        int copied = 0;
        for (Closure.Entry entry : closure.files().values()) {
            Path host = Path.of(entry.path());
            if (Files.isDirectory(host)) {
                continue;
            }
            Path copy = target.resolve(fileName(entry.path()));
            if (Files.exists(copy) && Files.mismatch(copy, host) != -1) { // one name, two libraries: which would load?
                throw new IllegalStateException("two different libraries named " + copy.getFileName() + " in the"
                        + " runtime's closure, one at " + entry.path());
            }
            Files.copy(host, copy, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            copied++;
        }
        return copied;
    }

    private static String fileName(String path) {
        return Path.of(path).getFileName().toString();
    }

    private static String interpreter(Closure closure) {
        return closure.resolutions().stream().filter(r -> r.need().equals("PT_INTERP")).map(Closure.Resolution::path)
                .findFirst().orElseThrow(() -> new IllegalStateException("the Java runtime has no program interpreter"));
    }

    /**
     * The loader runs java itself: --inhibit-cache and --library-path make it take our copies first (the other root's
     * ld.so.cache would hand it that root's libraries); java finds its own libraries through its $ORIGIN RUNPATH.
     * Only what neither names falls back to the other root's standard directories (a dlopen() of an NSS module its
     * nsswitch.conf names, which then loads or fails cleanly against our libc's symbol versions).
     */
    static String launcherScript(Path copy) {
        String command = BuilderLayout.runtimeCommand(copy.toString()).stream().map(StageRuntimeCommand::quote)
                .collect(Collectors.joining(" "));
        return "#!/bin/sh\n# written by `minimal-image stage-runtime`: this copy of minimal-image with its own loader"
                + " and libraries\nunset " + String.join(" ", UNSET) + "\nexec " + command + " \"$@\"\n";
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * A copy with links inside the tree kept as links (a jlink'ed runtime and Quarkus' app directory hold only
     * those); a link out of it (a distribution's JDK links conf files into /etc) is copied as the file it points to,
     * since in the other container it would point into that container's root.
     */
    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isSymbolicLink(path) && leaves(source, path)) {
                    if (!Files.isRegularFile(path)) {
                        throw new IllegalArgumentException(path + " links out of " + source + " to a directory");
                    }
                    Files.copy(path, copy);
                } else if (Files.isSymbolicLink(path)) {
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(path));
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean leaves(Path tree, Path link) throws IOException {
        Path target = Files.readSymbolicLink(link);
        return target.isAbsolute() || !link.getParent().resolve(target).normalize().startsWith(tree);
    }
}
