package dev.minimalimage.planning;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the Go-style durations of the spec ("15m", "1h30m", "90s"). */
final class Durations {

    private static final Pattern DURATION = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");
    static final long MIN_SECONDS = 60;
    static final long MAX_SECONDS = 6 * 3600;

    private Durations() {
    }

    static long seconds(String text) throws InvalidSpecException {
        return seconds("build.timeout", text, MIN_SECONDS, MAX_SECONDS, "6h");
    }

    static long seconds(String field, String text, long min, long max, String maxText) throws InvalidSpecException {
        Matcher m = text == null ? null : DURATION.matcher(text.trim());
        if (m == null || text.isBlank() || !m.matches()) {
            throw new InvalidSpecException(field + " must look like 15m or 1h30m: " + text);
        }
        long seconds = part(m.group(1)) * 3600 + part(m.group(2)) * 60 + part(m.group(3));
        if (seconds < min || seconds > max) {
            throw new InvalidSpecException(field + " must be between 1m and " + maxText + ": " + text);
        }
        return seconds;
    }

    private static long part(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
