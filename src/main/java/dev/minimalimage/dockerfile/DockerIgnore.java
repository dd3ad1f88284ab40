package dev.minimalimage.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code .dockerignore}: one pattern per line ({@link GlobPattern}), {@code #} comments and blank lines skipped,
 * {@code !} re-including what an earlier line excluded. As in docker, the last matching line decides, and a line
 * that matches a directory decides for everything below it.
 */
public final class DockerIgnore {

    public static final String FILE_NAME = ".dockerignore";
    public static final DockerIgnore NONE = new DockerIgnore(List.of());

    private record Rule(GlobPattern pattern, boolean exclude) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static DockerIgnore parse(String text) throws DockerfileException {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exclude = !line.startsWith("!");
            String pattern = exclude ? line : line.substring(1).strip();
            if (pattern.isEmpty()) {
                continue;
            }
            try {
                rules.add(new Rule(GlobPattern.of(pattern), exclude));
            } catch (IllegalArgumentException e) {
                throw new DockerfileException(DockerfileException.Kind.SYNTAX, FILE_NAME, i + 1, 0, e.getMessage());
            }
        }
        return new DockerIgnore(rules);
    }

    /** Whether the context path (relative, "/"-separated) is left out of the build context. */
    public boolean excludes(String path) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesItselfOrParent(rule.pattern(), path)) {
                excluded = rule.exclude();
            }
        }
        return excluded;
    }

    private static boolean matchesItselfOrParent(GlobPattern pattern, String path) {
        String candidate = path;
        while (true) {
            if (pattern.matches(candidate)) {
                return true;
            }
            int slash = candidate.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            candidate = candidate.substring(0, slash);
        }
    }
}
