package dev.minimalimage.testsupport;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The fixture projects under src/test/fixtures (one per build system, see its README) and the real programs from
 * Debian source packages, with what each prints when run alone from an empty root.
 */
public final class Fixtures {

    public static final Path ROOT = Path.of("src/test/fixtures").toAbsolutePath();
    public static final List<String> PROJECTS = List.of("make-two-programs", "cmake-cpp", "autotools-c", "meson-c",
            "cargo-vendored", "go-vendored");
    public static final List<String> DEBIAN_PROGRAMS = List.of("tree", "hello");
    private static final Properties PROJECT_FACTS = load("fixtures.properties");
    private static final Properties DEBIAN_FACTS = load("debian-programs.properties");

    private Fixtures() {
    }

    public static Path dir(String project) {
        return ROOT.resolve(project);
    }

    /** language, buildSystem, executable, output: see fixtures.properties. */
    public static String fact(String project, String key) {
        return required(PROJECT_FACTS, project + "." + key);
    }

    /** package, dir, executable, args, output or outputContains: see debian-programs.properties. */
    public static String debianFact(String program, String key) {
        return DEBIAN_FACTS.getProperty(program + "." + key);
    }

    /** The unpacked Debian source trees, fetched (once per machine) by scripts/debian-sources.sh. */
    public static List<Path> debianSources(String... packages) {
        List<String> command = Stream.concat(Stream.of("scripts/debian-sources.sh"), Stream.of(packages)).toList();
        Processes.Result fetched = Processes.run(Duration.ofMinutes(20), command)
                .requireSuccess("scripts/debian-sources.sh");
        return fetched.stdout().lines().map(Path::of).toList();
    }

    /** The project's files as spec.source.inline.files: relative path -> content (the fixtures are all text). */
    public static Map<String, String> files(String project) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir(project))) {
            for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                files.put(dir(project).relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }

    /** Every file under {@code dir} with its size and modification time: to show a build left the tree alone. */
    public static TreeMap<String, String> snapshot(Path dir) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                files.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir"
                        : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return files;
    }

    private static String required(Properties facts, String key) {
        String value = facts.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key + " in src/test/fixtures");
        }
        return value;
    }

    private static Properties load(String name) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve(name))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
