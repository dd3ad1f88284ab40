package dev.minimalimage.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Streams the file-backed parts of the PT_LOAD segments (what the program can actually see at runtime, so
 * not .symtab, .comment or debug info) looking for marker strings and for NUL-terminated shared-library
 * names. Works in fixed-size chunks, so memory use does not depend on the file size.
 */
final class ContentScanner {

    private static final int CHUNK = 1 << 20;
    /** Library names longer than this are not dlopen() arguments anyone writes. */
    private static final int MAX_TOKEN = 128;
    private static final int MAX_LIBRARY_NAMES = 16;
    private static final Pattern LIBRARY_NAME = Pattern.compile("lib[A-Za-z0-9_.+-]*\\.so(\\.[0-9]+)*");

    /** What was found: markers (as given) and shared-library names that appear as whole strings. */
    record Findings(Set<String> markers, List<String> libraryNames) {
    }

    private final Set<String> markers;
    private final Set<String> foundMarkers = new TreeSet<>();
    private final Set<String> libraryNames = new TreeSet<>();

    private ContentScanner(Set<String> markers) {
        this.markers = markers;
    }

    static Findings scan(ElfImage image, Set<String> markers) {
        ContentScanner scanner = new ContentScanner(markers);
        List<long[]> ranges = mergedLoadRanges(image);
        long longest = ranges.stream().mapToLong(r -> r[1] - r[0]).max().orElse(0);
        byte[] chunk = new byte[(int) Math.min(CHUNK, longest) + 2 * MAX_TOKEN];
        for (long[] range : ranges) {
            scanner.scanRange(image.bytes, range[0], range[1], chunk);
        }
        return new Findings(Set.copyOf(scanner.foundMarkers), List.copyOf(scanner.libraryNames));
    }

    /** PT_LOAD file ranges sorted and merged: segments usually overlap at page boundaries. */
    static List<long[]> mergedLoadRanges(ElfImage image) {
        List<long[]> ranges = new ArrayList<>();
        image.loadSegments().stream().filter(s -> s.filesz() > 0).map(s -> new long[] {s.offset(), s.fileEnd()})
                .sorted(Comparator.comparingLong(r -> r[0])).forEach(r -> {
                    long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                    if (last != null && r[0] <= last[1]) {
                        last[1] = Math.max(last[1], r[1]);
                    } else {
                        ranges.add(r);
                    }
                });
        return ranges;
    }

    /**
     * Each chunk carries up to MAX_TOKEN bytes of context on both sides, so markers and strings that straddle
     * a chunk border are still seen whole (markers are shorter than MAX_TOKEN).
     */
    private void scanRange(ElfBytes bytes, long start, long end, byte[] chunk) {
        for (long pos = start; pos < end; pos += CHUNK) {
            int before = (int) Math.min(MAX_TOKEN, pos - start);
            int own = (int) Math.min(CHUNK, end - pos);
            int after = (int) Math.min(MAX_TOKEN, end - pos - own);
            int length = bytes.copy(pos - before, chunk, before + own + after);
            String text = new String(chunk, 0, length, StandardCharsets.ISO_8859_1);
            findMarkers(text);
            findLibraryNames(text, before, before + own);
        }
    }

    private void findMarkers(String text) {
        for (String marker : markers) {
            if (!foundMarkers.contains(marker) && text.contains(marker)) {
                foundMarkers.add(marker);
            }
        }
    }

    /**
     * A dlopen() argument is a whole NUL-terminated string like "libfoo.so.1". Finding ".so" with the
     * (intrinsic, fast) indexOf and only then looking at the surrounding string keeps this cheap.
     */
    private void findLibraryNames(String text, int from, int to) {
        for (int at = text.indexOf(".so", from); at >= 0 && at < to; at = text.indexOf(".so", at + 3)) {
            if (libraryNames.size() >= MAX_LIBRARY_NAMES) {
                return;
            }
            String candidate = wholeString(text, at);
            if (candidate != null && LIBRARY_NAME.matcher(candidate).matches()) {
                libraryNames.add(candidate);
            }
        }
    }

    /** The printable string around {@code at} if it is NUL-terminated and shorter than MAX_TOKEN, else null. */
    private static String wholeString(String text, int at) {
        int begin = at;
        while (begin > 0 && at - begin < MAX_TOKEN && isPrintable(text.charAt(begin - 1))) {
            begin--;
        }
        int end = at;
        while (end < text.length() && end - begin < MAX_TOKEN && isPrintable(text.charAt(end))) {
            end++;
        }
        // begin == 0 is a real string start only at a range start: mid-range chunks carry MAX_TOKEN bytes
        // of context before their own part, so a string reaching index 0 there is too long anyway
        boolean fits = end - begin < MAX_TOKEN;
        boolean terminated = end < text.length() && text.charAt(end) == 0;
        boolean startsClean = begin == 0 || !isPrintable(text.charAt(begin - 1));
        return fits && terminated && startsClean ? text.substring(begin, end) : null;
    }

    private static boolean isPrintable(char c) {
        return c >= 0x20 && c <= 0x7e;
    }
}
