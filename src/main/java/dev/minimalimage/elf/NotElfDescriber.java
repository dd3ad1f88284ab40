package dev.minimalimage.elf;

import java.nio.charset.StandardCharsets;

/** Says in a few words what a file that is not ELF most likely is, from its first bytes. */
final class NotElfDescriber {

    private static final int SAMPLE = 512;
    private static final int MAX_SHEBANG = 80;

    private NotElfDescriber() {
    }

    static String describe(ElfBytes bytes) {
        byte[] head = new byte[SAMPLE];
        int n = bytes.copy(0, head, SAMPLE);
        if (n == 0) {
            return "an empty file, not an ELF binary";
        }
        if (n < 4 && isElfMagicPrefix(head, n)) {
            return "only " + n + " bytes: too short for the ELF magic, not an ELF binary";
        }
        if (startsWith(head, n, "#!")) {
            return "a script (" + shebang(head, n) + "), not an ELF binary";
        }
        String format = knownFormat(head, n);
        if (format != null) {
            return format + ", not an ELF binary";
        }
        if (isText(head, n)) {
            return "a text file, not an ELF binary";
        }
        return String.format("unrecognised data (starts with %s), not an ELF binary", hex(head, Math.min(n, 4)));
    }

    private static String knownFormat(byte[] head, int n) {
        if (startsWith(head, n, "MZ")) {
            return "a Windows PE executable";
        }
        if (startsWith(head, n, "PK\u0003\u0004")) {
            return "a zip or jar archive";
        }
        if (startsWith(head, n, "\u001f\u008b")) {
            return "a gzip file";
        }
        if (startsWith(head, n, "!<arch>\n")) {
            return "an ar archive (static library)";
        }
        if (startsWith(head, n, "\u00ca\u00fe\u00ba\u00be")) {
            return "a Mach-O universal binary or Java class file";
        }
        if (startsWith(head, n, "\u00cf\u00fa\u00ed\u00fe") || startsWith(head, n, "\u00ce\u00fa\u00ed\u00fe")) {
            return "a Mach-O (macOS) binary";
        }
        return null;
    }

    private static boolean isElfMagicPrefix(byte[] head, int n) {
        return startsWith(head, n, "\u007fELF".substring(0, n));
    }

    private static boolean startsWith(byte[] head, int n, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
        if (n < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (head[i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private static String shebang(byte[] head, int n) {
        int end = 0;
        while (end < Math.min(n, MAX_SHEBANG) && head[end] != '\n' && head[end] != '\r' && head[end] != 0) {
            end++;
        }
        return new String(head, 0, end, StandardCharsets.ISO_8859_1).strip().replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Text: no NUL and mostly printable (tabs, newlines and UTF-8 bytes allowed). */
    private static boolean isText(byte[] head, int n) {
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            if (b == 0 || (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f')) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] head, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(String.format("0x%02x", head[i] & 0xff));
        }
        return s.toString();
    }
}
