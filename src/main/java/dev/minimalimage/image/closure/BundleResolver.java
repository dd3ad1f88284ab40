package dev.minimalimage.image.closure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.minimalimage.elf.BundleHints;
import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;

/**
 * Bundle mode: everything a dynamic program loads, found under a system root by reading ELF only (never ldd, nothing
 * executed). The {@link LibraryClosure} of the program (PT_INTERP, DT_NEEDED through RPATH/RUNPATH with $ORIGIN,
 * ld.so.conf, standard directories; musl's own search path), plus the libraries named in FDO dlopen notes and by
 * the caller (--extra-library), plus for glibc programs that resolve names: the NSS files, and before glibc 2.34 the
 * libnss_files/libnss_dns modules (later releases build them into libc.so.6).
 * <p>
 * Libraries found through the program's own $ORIGIN land at the same place relative to the program's path in the
 * image; libraries from the root at their paths in the root.
 */
public final class BundleResolver {

    /** glibc 2.34 moved libnss_files and libnss_dns into libc.so.6. */
    private static final int NSS_BUILT_IN_FROM_MINOR = 34;
    static final List<String> NSS_MODULES = List.of("libnss_files.so.2", "libnss_dns.so.2");
    private static final Pattern GLIBC_VERSION = Pattern.compile("GLIBC_2\\.(\\d+)(?:\\.\\d+)?");
    private static final Pattern GLIBC_FILE = Pattern.compile("libc-2\\.(\\d+)\\.so");
    private static final int MAX_LINK_HOPS = 40;

    private BundleResolver() {
    }

    /**
     * @param binary     the program on the host
     * @param imagePath  where the program goes in the image (anchors its $ORIGIN)
     * @param root       the system root its libraries come from
     * @param extras     libraries it dlopen()s without declaring them: SONAMEs, or paths inside the root
     * @throws MissingLibraryException naming the library, who needs it and the directories searched
     */
    public static Bundle resolve(Path binary, String imagePath, Path root, List<String> extras)
            throws IOException, ElfFormatException {
        Path program = binary.toAbsolutePath();
        Resolved resolved = resolveWithNameServices(program, imagePath, root, extras);
        long bytes = 0;
        for (Closure.Entry entry : resolved.files().values()) {
            bytes += entry.isSymlink() ? 0 : Files.size(entry.source());
        }
        return new Bundle(resolved.files(), resolved.nameServices(), resolved.glibc(), bytes,
                resolved.closure().configuredDirectories());
    }

    /**
     * The part of the bundle that comes from {@code root} (not what the program's $ORIGIN finds), at its paths in the
     * root: what a copy of the root must hold for {@link #resolve} to find the same bundle there. The operator's
     * compile step stages it, where the toolchain's libraries are, for the package step that runs elsewhere.
     */
    public static Closure fromRoot(Path binary, Path root, List<String> extras) throws IOException, ElfFormatException {
        Path program = binary.toAbsolutePath();
        return resolveWithNameServices(program, program.toString(), root, extras).closure();
    }

    private record Resolved(Closure closure, SortedMap<String, Closure.Entry> files, String glibc,
            boolean nameServices) {
    }

    private static Resolved resolveWithNameServices(Path program, String imagePath, Path root, List<String> extras)
            throws IOException, ElfFormatException {
        Closure closure = LibraryClosure.resolve(List.of(program), root, extras, true);
        SortedMap<String, Closure.Entry> files = files(closure, program, imagePath);
        String glibc = glibcVersion(closure);
        boolean nameServices = glibc != null && usesNameServices(program, files.values());
        if (nameServices && minor(glibc) < NSS_BUILT_IN_FROM_MINOR) {
            List<String> withModules = new ArrayList<>(extras);
            withModules.addAll(NSS_MODULES);
            closure = LibraryClosure.resolve(List.of(program), root, withModules, true);
            files = files(closure, program, imagePath);
        }
        return new Resolved(closure, files, glibc, nameServices);
    }

    /** The closure's files from the root, plus what $ORIGIN found, at their image paths (links resolved in parents). */
    private static SortedMap<String, Closure.Entry> files(Closure closure, Path program, String imagePath)
            throws IOException {
        SortedMap<String, Closure.Entry> files = new TreeMap<>(closure.files());
        Map<String, String> mapped = new HashMap<>(); // host path -> image path, for what $ORIGIN found
        mapped.put(program.toString(), imagePath);
        Path programDir = program.getParent();
        String imageDir = Path.of(imagePath).getParent().toString();
        for (Closure.Resolution r : closure.resolutions()) {
            if (!r.insideInputs() || mapped.containsKey(r.path())) {
                continue;
            }
            Path host = Path.of(r.path()).normalize();
            String image = mapped.containsKey(r.neededBy()) || !host.startsWith(closure.root())
                    ? Path.of(imageDir).resolve(programDir.relativize(host)).normalize().toString()
                    : "/" + closure.root().relativize(host);
            mapped.put(r.path(), image);
            files.put(image, new Closure.Entry(image, host.toRealPath(), null));
        }
        SortedMap<String, Closure.Entry> placed = new TreeMap<>();
        for (Closure.Entry entry : files.values()) {
            String path = throughLinks(entry.path(), files);
            placed.put(path, new Closure.Entry(path, entry.source(), entry.linkTarget()));
        }
        return placed;
    }

    /**
     * The path under which {@code path} really lands when the image's directory links (e.g. /lib -> usr/lib) are
     * followed, so a file is never put "under" a symbolic link in the layer.
     */
    static String throughLinks(String path, Map<String, Closure.Entry> files) {
        String current = path;
        for (int hop = 0; hop < MAX_LINK_HOPS; hop++) {
            String rewritten = rewriteFirstLink(current, files);
            if (rewritten.equals(current)) {
                return current;
            }
            current = rewritten;
        }
        return current;
    }

    private static String rewriteFirstLink(String path, Map<String, Closure.Entry> files) {
        int slash = path.indexOf('/', 1);
        while (slash > 0) {
            String prefix = path.substring(0, slash);
            Closure.Entry entry = files.get(prefix);
            if (entry != null && entry.isSymlink()) {
                String target = entry.linkTarget();
                String parent = prefix.substring(0, prefix.lastIndexOf('/') + 1);
                String base = target.startsWith("/") ? target : parent + target;
                return Path.of(base + path.substring(slash)).normalize().toString();
            }
            slash = path.indexOf('/', slash + 1);
        }
        return path;
    }

    /** "2.36" from the newest GLIBC_2.xx version libc.so.6 defines (or its libc-2.xx.so name); null if not glibc. */
    static String glibcVersion(Closure closure) throws IOException, ElfFormatException {
        for (Closure.Resolution r : closure.resolutions()) {
            if (!r.need().equals("libc.so.6") || r.insideInputs()) {
                continue;
            }
            // inside the root only: a staged root is written by the compile step, whose links must not reach out
            RootedPaths.Resolved inRoot = new RootedPaths(closure.root()).resolve(r.path());
            if (inRoot == null) {
                continue;
            }
            Path host = new RootedPaths(closure.root()).host(inRoot.realPath());
            BundleHints hints = ElfLinkAnalyzer.bundleHints(host);
            int newest = -1;
            for (String name : hints == null ? List.<String>of() : hints.versionDefinitions()) {
                Matcher m = GLIBC_VERSION.matcher(name);
                if (m.matches()) {
                    newest = Math.max(newest, Integer.parseInt(m.group(1)));
                }
            }
            Matcher file = GLIBC_FILE.matcher(host.getFileName().toString());
            if (newest < 0 && file.matches()) {
                newest = Integer.parseInt(file.group(1));
            }
            return newest < 0 ? "2" : "2." + newest;
        }
        return null;
    }

    private static int minor(String version) {
        int dot = version.indexOf('.');
        return dot < 0 ? 0 : Integer.parseInt(version.substring(dot + 1));
    }

    /** Whether the program or a bundled library imports getaddrinfo, getpwnam, ... (glibc NSS entry points). */
    private static boolean usesNameServices(Path program, Iterable<Closure.Entry> files)
            throws IOException, ElfFormatException {
        List<Path> objects = new ArrayList<>();
        objects.add(program);
        for (Closure.Entry entry : files) {
            if (!entry.isSymlink()) {
                objects.add(entry.source());
            }
        }
        for (Path object : objects) {
            BundleHints hints = ElfLinkAnalyzer.bundleHints(object);
            if (hints != null && !hints.nameServiceImports().isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
