package dev.minimalimage.result;

import java.util.List;

import dev.minimalimage.git.UrlMasking;

/**
 * The last lines of a smoke-tested program's output, as both smoke tests report them (the operator's pod and
 * `build --smoke-test`): small enough for a status field and a termination message, URL credentials masked.
 */
public final class OutputTail {

    public static final int LINES = 10;
    public static final int CHARS = 1024;

    private OutputTail() {
    }

    /** The last {@value #LINES} lines, at most {@value #CHARS} characters; null for no (or blank) output. */
    public static String of(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        List<String> lines = UrlMasking.mask(text).strip().lines().toList();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - LINES), lines.size()));
        return tail.length() <= CHARS ? tail : "..." + tail.substring(tail.length() - CHARS + 3);
    }
}
