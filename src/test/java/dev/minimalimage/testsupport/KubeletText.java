package dev.minimalimage.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** String and file helpers of {@link KubeletStandIn}: $(VAR) expansion, path rewriting, termination-message tails. */
public final class KubeletText {

    /** kubecontainer.MaxContainerTerminationMessageLength. */
    static final int MAX_TERMINATION_MESSAGE_BYTES = 4096;
    /** kubecontainer.MaxContainerTerminationMessageLogLength. */
    static final int MAX_LOG_TAIL_BYTES = 2048;
    /** kubecontainer.MaxContainerTerminationMessageLogLines. */
    static final int MAX_LOG_TAIL_LINES = 80;

    private KubeletText() {
    }

    /**
     * Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion), ported byte for byte: {@code $(NAME)} becomes
     * the value when defined and stays as written otherwise, {@code $$} becomes {@code $}, any other {@code $} stays.
     * Go works on UTF-8 bytes and turns the byte after a lone {@code $} into the rune of that number, so a lone
     * {@code $} before a non-ASCII character garbles it ("$ü" arrives as "$Ã" and a stray byte): reproduced here, as
     * a process decoding its arguments as UTF-8 would see it.
     */
    public static String expand(String input, Map<String, String> vars) {
        if (input == null || input.indexOf('$') < 0) {
            return input;
        }
        byte[] in = input.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int checkpoint = 0;
        for (int cursor = 0; cursor < in.length; cursor++) {
            if (in[cursor] == '$' && cursor + 1 < in.length) {
                out.write(in, checkpoint, cursor - checkpoint);
                cursor += readVariable(in, cursor + 1, vars, out);
                checkpoint = cursor + 1;
            }
        }
        out.write(in, checkpoint, in.length - checkpoint);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Go's tryReadVariableName plus the mapping: writes what replaces the '$' and returns the bytes consumed after it. */
    private static int readVariable(byte[] in, int from, Map<String, String> vars, ByteArrayOutputStream out) {
        if (in[from] == '$') {
            out.write('$');
            return 1;
        }
        if (in[from] == '(') {
            for (int i = from + 1; i < in.length; i++) {
                if (in[i] == ')') {
                    String name = new String(in, from + 1, i - from - 1, StandardCharsets.UTF_8);
                    out.writeBytes(vars.getOrDefault(name, "$(" + name + ")").getBytes(StandardCharsets.UTF_8));
                    return i - from + 1;
                }
            }
            out.writeBytes("$(".getBytes(StandardCharsets.UTF_8));
            return 1;
        }
        out.writeBytes(("$" + (char) (in[from] & 0xff)).getBytes(StandardCharsets.UTF_8)); // string(input[0]) in Go
        return 1;
    }

    /**
     * Rewrites container paths (mount paths, the termination message path) to host paths in one pass, longest
     * container path first, only where the occurrence is a whole path or a path prefix: not preceded by a path
     * character and followed by the end, a '/', or a character that cannot continue a file name.
     */
    static final class PathMap {
        private final Map<String, String> mapping;
        private final Pattern pattern;

        PathMap(Map<String, String> containerToHost) {
            Map<String, String> clean = new LinkedHashMap<>();
            containerToHost.forEach((container, host) -> {
                String normalized = normalize(container);
                if (normalized != null) {
                    clean.put(normalized, host);
                }
            });
            this.mapping = clean;
            if (clean.isEmpty()) {
                this.pattern = null;
            } else {
                String alternatives = clean.keySet().stream()
                        .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                        .map(Pattern::quote).collect(Collectors.joining("|"));
                this.pattern = Pattern.compile("(?<![\\w./~-])(" + alternatives + ")(?![\\w.~-])");
            }
        }

        private static String normalize(String path) {
            if (path == null || !path.startsWith("/")) {
                return null;
            }
            String p = path;
            while (p.length() > 1 && p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            return p.equals("/") ? null : p;
        }

        Map<String, String> mapping() {
            return mapping;
        }

        String apply(String s) {
            if (s == null || pattern == null) {
                return s;
            }
            Matcher m = pattern.matcher(s);
            StringBuilder out = new StringBuilder(s.length() + 64);
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(mapping.get(m.group(1))));
            }
            m.appendTail(out);
            return out.toString();
        }

        List<String> apply(List<String> list) {
            List<String> out = new ArrayList<>(list.size());
            for (String s : list) {
                out.add(apply(s));
            }
            return out;
        }
    }

    /** The last {@code max} bytes of a file, or null when it does not exist. */
    static byte[] tail(Path file, int max) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int n = (int) Math.min(length, max);
            byte[] bytes = new byte[n];
            raf.seek(length - n);
            raf.readFully(bytes);
            return bytes;
        }
    }

    /** The kubelet's File policy: the last 4096 bytes of the termination message file ("" when missing). */
    static String terminationFileMessage(Path file) throws IOException {
        byte[] bytes = tail(file, MAX_TERMINATION_MESSAGE_BYTES);
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The kubelet's FallbackToLogsOnError tail: the last 80 lines of the log, then at most their last 2048 bytes. */
    static String logTail(Path log) throws IOException {
        byte[] bytes = tail(log, 2 * MAX_LOG_TAIL_BYTES);
        if (bytes == null) {
            return "";
        }
        return new String(logTail(bytes), StandardCharsets.UTF_8);
    }

    static byte[] logTail(byte[] bytes) {
        int n = bytes.length;
        int start = 0;
        int i = n - 1;
        if (i >= 0 && bytes[i] == '\n') {
            i--; // the newline that ends the last line
        }
        int newlines = 0;
        for (; i >= 0; i--) {
            if (bytes[i] == '\n' && ++newlines == MAX_LOG_TAIL_LINES) {
                start = i + 1;
                break;
            }
        }
        start = Math.max(start, n - MAX_LOG_TAIL_BYTES);
        return Arrays.copyOfRange(bytes, start, n);
    }
}
