package dev.minimalimage.planning;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the Go-style durations of the spec ("15m", "1h30m", "90s") and of the command line. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");
    static final long MIN_SECONDS = 60;
    static final long MAX_SECONDS = 6 * 3600;

    private Durations() {
    }

    static long seconds(String text) throws InvalidSpecException {
        return seconds("build.timeout", text, MIN_SECONDS, MAX_SECONDS, "6h");
    }

    static long seconds(String field, String text, long min, long max, String maxText) throws InvalidSpecException {
        return seconds(field, text, min, "1m", max, maxText);
    }

    /** spec.verify.smokeTest.timeout: from 1s to 5m. */
    static long smokeTestTimeout(String text) throws InvalidSpecException {
        return smokeTestTimeout("spec.verify.smokeTest.timeout", text);
    }

    /** A smoke-test timeout named {@code field} (the spec's, or `build --smoke-timeout`): from 1s to 5m. */
    public static long smokeTestTimeout(String field, String text) throws InvalidSpecException {
        return seconds(field, text, 1, "1s", 5 * 60, "5m");
    }

    private static long seconds(String field, String text, long min, String minText, long max, String maxText)
            throws InvalidSpecException {
        long seconds = parse(text);
        if (seconds < 0) {
            throw new InvalidSpecException(field + " must look like 15m or 1h30m: " + text);
        }
        if (seconds < min || seconds > max) {
            throw new InvalidSpecException(field + " must be between " + minText + " and " + maxText + ": " + text);
        }
        return seconds;
    }

    /** spec.source.git.pollInterval: at least a minute, no upper bound. */
    public static long pollInterval(String text) throws InvalidSpecException {
        long seconds = parse(text);
        if (seconds < MIN_SECONDS) {
            throw new InvalidSpecException("spec.source.git.pollInterval must be a duration of at least 1m, e.g. 5m: "
                    + text);
        }
        return seconds;
    }

    /**
     * A command-line duration such as --registry-retry-timeout: the same Go-style syntax ("2m", "90s", "1m30s", "0s"),
     * from 0 up to {@code max}; anything else is an IllegalArgumentException naming the option.
     */
    public static java.time.Duration option(String option, String text, java.time.Duration max, String maxText) {
        long seconds = parse(text);
        if (seconds < 0) {
            throw new IllegalArgumentException(option + " must look like 2m, 90s or 1m30s: " + text);
        }
        if (seconds > max.toSeconds()) {
            throw new IllegalArgumentException(option + " must be at most " + maxText + ": " + text);
        }
        return java.time.Duration.ofSeconds(seconds);
    }

    /** The duration in seconds, or -1 when {@code text} is not a Go-style duration. */
    private static long parse(String text) {
        Matcher m = text == null ? null : DURATION.matcher(text.trim());
        if (m == null || text.isBlank() || !m.matches()) {
            return -1;
        }
        return part(m.group(1)) * 3600 + part(m.group(2)) * 60 + part(m.group(3));
    }

    private static long part(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
