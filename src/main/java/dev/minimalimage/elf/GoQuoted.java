package dev.minimalimage.elf;

/** Decodes a Go double-quoted string literal (strconv.Quote output) as Go writes build settings. */
final class GoQuoted {

    private GoQuoted() {
    }

    /** Reads the literal starting at cursor[0] (a '"'); leaves cursor[0] just after the closing quote. */
    static String unquote(String text, int[] cursor) throws ElfFormatException {
        StringBuilder out = new StringBuilder();
        int i = cursor[0] + 1;
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (c == '"') {
                cursor[0] = i;
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= text.length()) {
                break;
            }
            char e = text.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case 'x' -> i = appendCodePoint(out, text, i, 2);
                case 'u' -> i = appendCodePoint(out, text, i, 4);
                case 'U' -> i = appendCodePoint(out, text, i, 8);
                default -> out.append(e); // \" \\ \'
            }
        }
        throw new ElfFormatException(".go.buildinfo: unterminated quoted string in build setting: " + text);
    }

    private static int appendCodePoint(StringBuilder out, String text, int at, int digits) throws ElfFormatException {
        if (at + digits > text.length()) {
            throw new ElfFormatException(".go.buildinfo: truncated escape in build setting: " + text);
        }
        try {
            out.appendCodePoint(Integer.parseInt(text.substring(at, at + digits), 16));
        } catch (IllegalArgumentException e) {
            throw new ElfFormatException(".go.buildinfo: bad escape in build setting: " + text);
        }
        return at + digits;
    }
}
