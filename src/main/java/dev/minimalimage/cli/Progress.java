package dev.minimalimage.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * `build`'s stages as they end, one short line each on stderr ("compile: 2.1 s (...)"), so a long build shows where
 * it is and where the time went; {@link #SILENT} for `package`, whose output a builder pod's log already frames.
 */
final class Progress {

    static final Progress SILENT = new Progress(null);

    private final PrintWriter err;
    private long stageStarted = System.nanoTime();

    Progress(PrintWriter err) {
        this.err = err;
    }

    /** The stage that began when the last one ended (or at construction) ended now with {@code outcome}. */
    void done(String stage, String outcome) {
        long now = System.nanoTime();
        if (err != null) {
            err.printf(Locale.ROOT, "%s: %.1f s (%s)%n", stage, (now - stageStarted) / 1e9, outcome);
            err.flush();
        }
        stageStarted = now;
    }
}
