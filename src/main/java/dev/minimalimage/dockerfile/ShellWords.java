package dev.minimalimage.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Variable substitution and word splitting as the Dockerfile reference defines them for ADD, COPY, ENV, EXPOSE,
 * FROM, LABEL, STOPSIGNAL, USER and WORKDIR: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-word}},
 * {@code ${VAR-word}}, {@code ${VAR:+word}}, {@code ${VAR+word}}, {@code ${VAR:?message}}; single quotes keep text
 * literal, double quotes keep blanks, the escape character keeps the next character literal. RUN, CMD and
 * ENTRYPOINT are left to the shell.
 */
final class ShellWords {

    private final String text;
    private final Map<String, String> variables;
    private final char escape;
    private final int line;
    private final int column;
    private int position;

    private ShellWords(String text, Map<String, String> variables, char escape, int line, int column) {
        this.text = text;
        this.variables = variables;
        this.escape = escape;
        this.line = line;
        this.column = column;
    }

    /** {@code text} as one word: quotes removed, variables substituted, blanks kept. */
    static String word(String text, Map<String, String> variables, char escape, int line, int column)
            throws DockerfileException {
        ShellWords lexer = new ShellWords(text, variables, escape, line, column);
        List<String> words = lexer.read(false);
        return words.isEmpty() ? "" : words.get(0);
    }

    /** {@code text} split at unquoted blanks, each word with quotes removed and variables substituted. */
    static List<String> words(String text, Map<String, String> variables, char escape, int line, int column)
            throws DockerfileException {
        return new ShellWords(text, variables, escape, line, column).read(true);
    }

    private List<String> read(boolean split) throws DockerfileException {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (split && (c == ' ' || c == '\t' || c == '\n')) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                position++;
                continue;
            }
            inWord = true;
            if (c == '\'') {
                word.append(singleQuoted());
            } else if (c == '"') {
                word.append(doubleQuoted());
            } else if (c == escape) {
                position++;
                if (position < text.length()) {
                    word.append(text.charAt(position++));
                } else {
                    word.append(escape); // a trailing escape character stays, as in BuildKit
                }
            } else if (c == '$') {
                word.append(variable());
            } else {
                word.append(c);
                position++;
            }
        }
        if (inWord || !split) {
            words.add(word.toString());
        }
        return words;
    }

    private String singleQuoted() throws DockerfileException {
        int start = position;
        int close = text.indexOf('\'', position + 1);
        if (close < 0) {
            throw error(start, "unterminated single quote");
        }
        position = close + 1;
        return text.substring(start + 1, close);
    }

    private String doubleQuoted() throws DockerfileException {
        int start = position++;
        StringBuilder out = new StringBuilder();
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == '"') {
                position++;
                return out.toString();
            }
            if (c == escape && position + 1 < text.length() && escapableInDoubleQuotes(text.charAt(position + 1))) {
                out.append(text.charAt(position + 1));
                position += 2;
            } else if (c == '$') {
                out.append(variable());
            } else {
                out.append(c);
                position++;
            }
        }
        throw error(start, "unterminated double quote");
    }

    /** At a {@code $}: the substituted value; a {@code $} that starts no name stays a {@code $}. */
    private String variable() throws DockerfileException {
        int start = position++;
        if (position < text.length() && text.charAt(position) == '{') {
            position++;
            return braced(start);
        }
        int nameStart = position;
        while (position < text.length() && nameChar(text.charAt(position), position == nameStart)) {
            position++;
        }
        if (position == nameStart) {
            return "$";
        }
        return variables.getOrDefault(text.substring(nameStart, position), "");
    }

    private String braced(int start) throws DockerfileException {
        int nameStart = position;
        while (position < text.length() && nameChar(text.charAt(position), position == nameStart)) {
            position++;
        }
        String name = text.substring(nameStart, position);
        if (name.isEmpty()) {
            throw error(start, "a ${...} substitution needs a variable name");
        }
        if (position >= text.length()) {
            throw error(start, "${" + name + " is missing its closing }");
        }
        char c = text.charAt(position);
        if (c == '}') {
            position++;
            return variables.getOrDefault(name, "");
        }
        boolean colon = c == ':';
        if (colon) {
            position++;
        }
        char modifier = position < text.length() ? text.charAt(position) : 0;
        if (modifier != '-' && modifier != '+' && modifier != '?') {
            throw error(start, "${" + name + (colon ? ":" : "") + (modifier == 0 ? "" : String.valueOf(modifier))
                    + "...}: only ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word} and ${VAR:?message}"
                    + " are supported");
        }
        position++;
        String word = nestedWord(start, name);
        String value = variables.get(name);
        boolean set = value != null && (!colon || !value.isEmpty());
        return switch (modifier) {
            case '-' -> set ? value : word;
            case '+' -> set ? word : "";
            default -> {
                if (!set) {
                    throw error(start, name + ": " + (word.isEmpty() ? "is not set" : word));
                }
                yield value;
            }
        };
    }

    /** The word after a modifier up to its matching {@code }}, itself substituted. */
    private String nestedWord(int start, String name) throws DockerfileException {
        StringBuilder out = new StringBuilder();
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == '}') {
                position++;
                return out.toString();
            }
            if (c == '$') {
                out.append(variable());
            } else if (c == '\'') {
                out.append(singleQuoted());
            } else if (c == '"') {
                out.append(doubleQuoted());
            } else if (c == escape && position + 1 < text.length()) {
                out.append(text.charAt(position + 1));
                position += 2;
            } else {
                out.append(c);
                position++;
            }
        }
        throw error(start, "${" + name + "... is missing its closing }");
    }

    private boolean escapableInDoubleQuotes(char c) {
        return c == '"' || c == '$' || c == escape;
    }

    private static boolean nameChar(char c, boolean first) {
        return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9';
    }

    private DockerfileException error(int at, String message) {
        return new DockerfileException(line, column > 0 ? column + at : 0, message);
    }
}
