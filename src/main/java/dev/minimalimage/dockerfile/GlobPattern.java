package dev.minimalimage.dockerfile;

import java.util.List;

/**
 * A path pattern as docker matches COPY sources and .dockerignore lines: Go's filepath.Match in each path segment
 * ({@code *} any run of characters but /, {@code ?} one, {@code [a-z]} and {@code [^a-z]} classes, the backslash
 * escaping the next character) and {@code **} as a whole segment for any number of segments, none included.
 */
final class GlobPattern {

    private final String pattern;
    private final List<String> segments;

    private GlobPattern(String pattern, List<String> segments) {
        this.pattern = pattern;
        this.segments = segments;
    }

    /** A pattern over paths relative to the context ("src/*.c"); a leading "/" and "./" are dropped. */
    static GlobPattern of(String pattern) {
        String cleaned = DockerfilePlanner.normalize("/" + pattern);
        cleaned = cleaned.equals("/") ? "" : cleaned.substring(1);
        if (cleaned.endsWith("/")) {
            cleaned = cleaned.substring(0, cleaned.length() - 1);
        }
        List<String> segments = cleaned.isEmpty() ? List.of() : List.of(cleaned.split("/"));
        for (String segment : segments) {
            if (!segment.equals("**")) {
                checkSegment(segment, pattern);
            }
        }
        return new GlobPattern(cleaned, segments);
    }

    String text() {
        return pattern;
    }

    boolean hasWildcards() {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '\\');
    }

    /** Whether {@code path} (relative, "/"-separated, "" for the root) matches the whole pattern. */
    boolean matches(String path) {
        List<String> parts = path.isEmpty() ? List.of() : List.of(path.split("/"));
        return matches(0, parts, 0);
    }

    private boolean matches(int s, List<String> parts, int p) {
        if (s == segments.size()) {
            return p == parts.size();
        }
        if (segments.get(s).equals("**")) {
            for (int skip = p; skip <= parts.size(); skip++) {
                if (matches(s + 1, parts, skip)) {
                    return true;
                }
            }
            return false;
        }
        return p < parts.size() && segmentMatches(segments.get(s), 0, parts.get(p), 0) && matches(s + 1, parts, p + 1);
    }

    /** Go's filepath.Match within one segment (no separators on either side). */
    static boolean segmentMatches(String pattern, int pi, String name, int ni) {
        while (pi < pattern.length()) {
            char c = pattern.charAt(pi);
            if (c == '*') {
                while (pi < pattern.length() && pattern.charAt(pi) == '*') {
                    pi++;
                }
                for (int rest = ni; rest <= name.length(); rest++) {
                    if (segmentMatches(pattern, pi, name, rest)) {
                        return true;
                    }
                }
                return false;
            }
            if (ni >= name.length()) {
                return false;
            }
            if (c == '?') {
                pi++;
            } else if (c == '[') {
                int end = classEnd(pattern, pi);
                if (!classMatches(pattern.substring(pi + 1, end), name.charAt(ni))) {
                    return false;
                }
                pi = end + 1;
            } else {
                if (c == '\\' && pi + 1 < pattern.length()) {
                    c = pattern.charAt(++pi);
                }
                if (c != name.charAt(ni)) {
                    return false;
                }
                pi++;
            }
            ni++;
        }
        return ni == name.length();
    }

    /** The index of the ] closing the class that opens at {@code open}. */
    private static int classEnd(String pattern, int open) {
        int i = open + 1;
        if (i < pattern.length() && pattern.charAt(i) == '^') {
            i++;
        }
        for (boolean first = true; i < pattern.length(); i++, first = false) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ']' && !first) {
                return i;
            }
        }
        return -1;
    }

    private static boolean classMatches(String body, char c) {
        boolean negated = body.startsWith("^");
        int i = negated ? 1 : 0;
        boolean matched = false;
        while (i < body.length()) {
            char low = body.charAt(i);
            if (low == '\\') {
                low = body.charAt(++i);
            }
            i++;
            char high = low;
            if (i + 1 < body.length() && body.charAt(i) == '-') {
                high = body.charAt(i + 1);
                if (high == '\\') {
                    high = body.charAt(i + 2);
                    i++;
                }
                i += 2;
            }
            if (low <= c && c <= high) {
                matched = true;
            }
        }
        return matched != negated;
    }

    /** Refuses what Go's filepath.Match calls a bad pattern: an open class, an empty class, a dangling escape. */
    private static void checkSegment(String segment, String whole) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '\\') {
                if (++i >= segment.length()) {
                    throw new IllegalArgumentException("the pattern " + whole + " ends with an escape (\\)");
                }
            } else if (c == '[') {
                int end = classEnd(segment, i);
                if (end < 0) {
                    throw new IllegalArgumentException("the pattern " + whole + " has a [ without its ]");
                }
                String body = segment.substring(i + 1, end);
                if (body.isEmpty() || body.equals("^") || body.endsWith("-") || body.startsWith("-")
                        || body.startsWith("^-")) {
                    throw new IllegalArgumentException("the pattern " + whole + " has a malformed class [" + body
                            + "]");
                }
                i = end;
            }
        }
    }
}
