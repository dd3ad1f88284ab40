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
    private final String prefix;
    /** When the current stage began; shared with {@link #about} views, since stages follow one another. */
    private final long[] stageStarted;

    Progress(PrintWriter err) {
        this(err, "", new long[] { System.nanoTime() });
    }

    private Progress(PrintWriter err, String prefix, long[] stageStarted) {
        this.err = err;
        this.prefix = prefix;
        this.stageStarted = stageStarted;
    }

    /** The same stderr and clock, every stage named after {@code what} (a platform of a multi-platform build). */
    Progress about(String what) {
        return new Progress(err, prefix + what + " ", stageStarted);
    }

    /** The stage that began when the last one ended (or at construction) ended now with {@code outcome}. */
    void done(String stage, String outcome) {
        long now = System.nanoTime();
        if (err != null) {
            err.printf(Locale.ROOT, "%s%s: %.1f s (%s)%n", prefix, stage, (now - stageStarted[0]) / 1e9, outcome);
            err.flush();
        }
        stageStarted[0] = now;
    }
}
