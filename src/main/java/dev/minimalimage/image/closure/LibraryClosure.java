package dev.minimalimage.image.closure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.minimalimage.elf.DynamicLinkage;
import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;

/**
 * Finds the shared libraries a set of ELF files needs, as glibc's loader would inside a system root, by reading ELF
 * headers only (nothing is executed, no ldd). Per object: PT_INTERP; DT_NEEDED resolved through DT_RPATH of the
 * object and its loaders (only when the object has no DT_RUNPATH), then DT_RUNPATH (for the object's own needs only),
 * then /etc/ld.so.conf and the standard directories. $ORIGIN expands to the object's directory; LD_LIBRARY_PATH is
 * not used. A candidate must match the needing object's ELF class, byte order and machine. Needs met by the inputs
 * themselves (by SONAME, or found at an input's path) add nothing.
 */
public final class LibraryClosure {

    private final RootedPaths root;
    private final Path rootDir;
    private final Map<Path, DynamicLinkage> linkages = new HashMap<>();
    private final Map<String, SystemSearchPath> systemPaths = new LinkedHashMap<>(); // in first-use order
    /**
     * System directories libraries were found in that the image's loader would not search by itself, by their
     * position in the search path (so in the loader's order).
     */
    private final SortedMap<Integer, String> configuredDirectories = new TreeMap<>();
    /** Bundle mode: needs of the inputs that ELF does not declare (names or paths inside the root). */
    private final List<String> extraNeeds;
    /** Bundle mode: also follow the FDO dlopen notes (.note.dlopen) of every object. */
    private final boolean dlopenNotes;

    private final Map<Path, DynamicLinkage> inputSet = new LinkedHashMap<>();
    private final Map<String, Path> inputSonames = new HashMap<>();
    private final TreeMap<String, Closure.Entry> files = new TreeMap<>();
    private final List<Closure.Resolution> resolutions = new ArrayList<>();
    private final Deque<Loaded> queue = new ArrayDeque<>();
    /** The PT_INTERP of a musl program: musl's loader is also its libc and serves libc.so, libm.so.6, ... itself. */
    private String muslLoader;

    private LibraryClosure(Path rootDir, List<String> extraNeeds, boolean dlopenNotes) {
        this.rootDir = rootDir.toAbsolutePath().normalize();
        this.root = new RootedPaths(this.rootDir);
        this.extraNeeds = List.copyOf(extraNeeds);
        this.dlopenNotes = dlopenNotes;
    }

    /** Inputs may be files or directories (walked; non-ELF files are skipped). */
    public static Closure resolve(Collection<Path> inputs, Path systemRoot) throws IOException, ElfFormatException {
        return new LibraryClosure(systemRoot, List.of(), false).run(elfFiles(inputs));
    }

    /**
     * Bundle mode: as {@link #resolve(Collection, Path)}, plus {@code extraNeeds} (libraries the inputs dlopen(),
     * by SONAME or by path inside the root) as if every input declared them, and the libraries named in FDO dlopen
     * notes when {@code dlopenNotes} (of those, only "required" ones fail the resolution when missing).
     */
    public static Closure resolve(Collection<Path> inputs, Path systemRoot, List<String> extraNeeds,
            boolean dlopenNotes) throws IOException, ElfFormatException {
        return new LibraryClosure(systemRoot, extraNeeds, dlopenNotes).run(elfFiles(inputs));
    }

    /** One object to process: its host path and the chain of objects that loaded it (for RPATH inheritance). */
    private record Loaded(Path file, DynamicLinkage linkage, List<Loaded> loaders) {
    }

    /**
     * One thing to load: any of {@code names} (alternatives, first found wins); {@code why} says where the need
     * comes from in messages ("" for DT_NEEDED).
     */
    private record Need(List<String> names, boolean required, String why) {
    }

    private static final java.util.regex.Pattern MUSL_RESERVED = java.util.regex.Pattern.compile(
            "lib(c|pthread|rt|m|dl|util|xnet)\\..*");

    private Closure run(List<Path> inputs) throws IOException, ElfFormatException {
        for (Path input : inputs) {
            DynamicLinkage linkage = linkage(input);
            inputSet.put(input.toRealPath(), linkage);
            inputSonames.putIfAbsent(linkage.soname() != null ? linkage.soname() : input.getFileName().toString(), input);
            if (muslLoader == null && linkage.interpreter() != null && linkage.interpreter().contains("/ld-musl-")) {
                muslLoader = linkage.interpreter();
            }
        }
        Set<Path> seen = new LinkedHashSet<>();
        for (Path input : inputs) {
            queue.add(new Loaded(input, linkage(input), List.of()));
        }
        while (!queue.isEmpty()) {
            Loaded object = queue.poll();
            if (!seen.add(object.file().toRealPath())) {
                continue;
            }
            String interpreter = object.linkage().interpreter();
            if (interpreter != null) {
                Path found = add(interpreter, files);
                if (found == null) {
                    throw new MissingLibraryException(interpreter + " (PT_INTERP)", object.file().toString(),
                            List.of(rootDir.resolve(interpreter.substring(1)).toString()));
                }
                resolutions.add(new Closure.Resolution("PT_INTERP", object.file().toString(), interpreter, false));
                queue.add(new Loaded(found, linkage(found), List.of()));
            }
            for (Need need : needs(object)) {
                satisfy(need, object);
            }
        }
        Set<String> configurationFiles = new LinkedHashSet<>(); // of the search paths used, what each read
        systemPaths.values().forEach(system -> configurationFiles.addAll(system.configurationFiles()));
        return new Closure(rootDir, files, List.copyOf(resolutions), List.copyOf(configuredDirectories.values()),
                List.copyOf(configurationFiles));
    }

    private List<Need> needs(Loaded object) throws IOException, ElfFormatException {
        List<Need> needs = new ArrayList<>();
        for (String name : object.linkage().needed()) {
            needs.add(new Need(List.of(name), true, ""));
        }
        if (inputSet.containsKey(object.file().toRealPath())) {
            for (String name : extraNeeds) {
                needs.add(new Need(List.of(name), true,
                        " (an extra library: --extra-library, spec.verify.extraLibraries)"));
            }
        }
        if (dlopenNotes) {
            for (DlopenNotes.Entry entry : DlopenNotes.of(object.file())) {
                needs.add(new Need(entry.sonames(), entry.required(), " (.note.dlopen, " + entry.priority() + ")"));
            }
        }
        return needs;
    }

    /** Finds one of the need's names, adds it (and its links) and queues it; fails only for required needs. */
    private void satisfy(Need need, Loaded object) throws IOException, ElfFormatException {
        String neededBy = object.file().toString();
        MissingLibraryException missing = null;
        for (String name : need.names()) {
            if (muslLoader != null && MUSL_RESERVED.matcher(name).matches()) {
                resolutions.add(new Closure.Resolution(name, neededBy, muslLoader, false));
                return;
            }
            Path inside = inputSonames.get(name);
            if (inside != null) {
                resolutions.add(new Closure.Resolution(name, neededBy, inside.toString(), true));
                return;
            }
            Found found = find(name, object);
            if (found.hostPath() != null) {
                boolean isInput = inputSet.containsKey(found.hostPath().toRealPath()) || found.imagePath() == null;
                if (!isInput) {
                    add(found.imagePath(), files);
                }
                resolutions.add(new Closure.Resolution(name, neededBy,
                        isInput ? found.hostPath().toString() : found.imagePath(), isInput));
                List<Loaded> chain = new ArrayList<>();
                chain.add(object);
                chain.addAll(object.loaders());
                queue.add(new Loaded(found.hostPath(), linkage(found.hostPath()), List.copyOf(chain)));
                return;
            }
            if (missing == null) {
                missing = new MissingLibraryException(name + need.why(), neededBy, found.searched());
            }
        }
        if (need.required() && missing != null) {
            throw missing;
        }
    }

    /** A library found at a host path; {@code imagePath} is its path inside the root, null when outside it. */
    private record Found(Path hostPath, String imagePath, List<String> searched) {
    }

    private Found find(String need, Loaded object) throws IOException, ElfFormatException {
        DynamicLinkage wants = object.linkage();
        List<String> searched = new ArrayList<>();
        if (need.contains("/")) { // a path: used as is, relative to the root (no search)
            return probe(need.startsWith("/") ? need : "/" + need, wants, searched);
        }
        List<String> dirs = new ArrayList<>();
        if (wants.runpath() == null) {
            List<Loaded> chain = new ArrayList<>();
            chain.add(object);
            chain.addAll(object.loaders());
            for (Loaded loader : chain) {
                if (loader.linkage().runpath() == null) {
                    dirs.addAll(expand(loader.linkage().rpath(), loader.file()));
                }
            }
        } else {
            dirs.addAll(expand(wants.runpath(), object.file()));
        }
        int fromObjects = dirs.size();
        SystemSearchPath system = systemPaths.computeIfAbsent(wants.machine() + "/" + wants.is64(), key -> {
            try {
                return muslLoader != null ? SystemSearchPath.ofMusl(root, muslLoader)
                        : SystemSearchPath.of(root, wants.machine(), wants.is64());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        dirs.addAll(system.directories());
        for (int i = 0; i < dirs.size(); i++) {
            String dir = dirs.get(i);
            if (dirs.indexOf(dir) < i) {
                continue; // searched already
            }
            Found found = probe(dir + "/" + need, wants, searched);
            if (found.hostPath() != null) {
                if (i >= fromObjects && system.onlyConfigured(dir)) {
                    configuredDirectories.put(system.directories().indexOf(dir), dir);
                }
                return found;
            }
        }
        return new Found(null, null, searched);
    }

    /**
     * Directories of an RPATH/RUNPATH: "$ORIGIN"-relative ones as host paths (marked with a leading {@link #HOST}),
     * the others as paths inside the root.
     */
    private List<String> expand(String path, Path object) {
        List<String> dirs = new ArrayList<>();
        if (path == null) {
            return dirs;
        }
        String origin = object.toAbsolutePath().getParent().toString();
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            String expanded = dir.replace("${ORIGIN}", "$ORIGIN");
            dirs.add(expanded.contains("$ORIGIN") ? HOST + expanded.replace("$ORIGIN", origin) : expanded);
        }
        return dirs;
    }

    private static final String HOST = "\0";

    private Found probe(String candidate, DynamicLinkage wants, List<String> searched) throws IOException, ElfFormatException {
        if (candidate.startsWith(HOST)) { // $ORIGIN-relative: part of the inputs' own tree, nothing to add
            Path host = Path.of(candidate.substring(1)).normalize();
            searched.add(host.getParent().toString());
            return new Found(Files.isRegularFile(host) && compatible(host, wants) ? host : null, null, searched);
        }
        searched.add(root.host(candidate.substring(0, candidate.lastIndexOf('/'))).toString());
        RootedPaths.Resolved resolved = root.resolve(candidate);
        Path real = resolved == null ? null : root.host(resolved.realPath());
        if (real != null && Files.isRegularFile(real) && compatible(real, wants)) {
            return new Found(real, candidate, searched);
        }
        return new Found(null, null, searched);
    }

    private boolean compatible(Path file, DynamicLinkage wants) throws IOException, ElfFormatException {
        DynamicLinkage candidate = linkageOrNull(file);
        return candidate != null && candidate.compatibleWith(wants);
    }

    /** Adds the file at {@code path} (inside the root) and every link met on the way; returns its host path. */
    private Path add(String path, Map<String, Closure.Entry> files) throws IOException {
        RootedPaths.Resolved resolved = root.resolve(path);
        if (resolved == null || !Files.isRegularFile(root.host(resolved.realPath()))) {
            return null;
        }
        for (RootedPaths.Link link : resolved.links()) {
            files.put(link.path(), new Closure.Entry(link.path(), null, link.target()));
        }
        Path host = root.host(resolved.realPath());
        files.put(resolved.realPath(), new Closure.Entry(resolved.realPath(), host, null));
        return host;
    }

    private DynamicLinkage linkage(Path file) throws IOException, ElfFormatException {
        DynamicLinkage linkage = linkageOrNull(file);
        if (linkage == null) {
            throw new ElfFormatException(file + " is not an ELF file");
        }
        return linkage;
    }

    private DynamicLinkage linkageOrNull(Path file) throws IOException, ElfFormatException {
        Path real = file.toRealPath();
        if (!linkages.containsKey(real)) {
            linkages.put(real, ElfLinkAnalyzer.linkage(real));
        }
        return linkages.get(real);
    }

    /** Files as given; directories walked (sorted) for regular ELF files. */
    private static List<Path> elfFiles(Collection<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (!Files.isDirectory(input)) {
                files.add(input.toAbsolutePath());
                continue;
            }
            try (Stream<Path> walk = Files.walk(input)) {
                for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                    if (Files.isRegularFile(p) && !Files.isSymbolicLink(p) && isElf(p)) {
                        files.add(p.toAbsolutePath());
                    }
                }
            }
        }
        return files;
    }

    private static boolean isElf(Path file) throws IOException {
        byte[] magic = new byte[4];
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(magic, 0, 4) == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L'
                    && magic[3] == 'F';
        }
    }
}
