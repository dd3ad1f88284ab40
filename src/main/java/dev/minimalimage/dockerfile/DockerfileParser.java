package dev.minimalimage.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Splits a Dockerfile into instructions as the Dockerfile reference describes: parser directives at the top
 * ({@code # escape=}, {@code # syntax=}), comments, line continuations with the escape character, flags, the JSON
 * (exec) form and heredocs. It knows which instructions exist; whether this builder supports one is the planner's
 * business ({@link DockerfilePlanner}), so that the refusal can name what the instruction would have done.
 */
public final class DockerfileParser {

    /** Every instruction of the Dockerfile reference; anything else is a syntax error. */
    static final Set<String> KEYWORDS = Set.of("FROM", "ARG", "ENV", "WORKDIR", "COPY", "ADD", "RUN", "USER",
            "ENTRYPOINT", "CMD", "EXPOSE", "LABEL", "STOPSIGNAL", "SHELL", "ONBUILD", "VOLUME", "HEALTHCHECK",
            "MAINTAINER");
    private static final Set<String> HEREDOC_KEYWORDS = Set.of("RUN", "COPY", "ADD");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String[] lines;
    private char escape = '\\';
    private String syntax;
    private int next; // index of the next physical line to read

    private DockerfileParser(String text) {
        this.lines = text.split("\r?\n", -1);
    }

    public static ParsedDockerfile parse(String text) throws DockerfileException {
        DockerfileParser parser = new DockerfileParser(text);
        parser.readDirectives();
        List<Instruction> instructions = new ArrayList<>();
        for (Instruction instruction = parser.nextInstruction(); instruction != null;
                instruction = parser.nextInstruction()) {
            instructions.add(instruction);
        }
        return new ParsedDockerfile(parser.escape, parser.syntax, instructions);
    }

    /**
     * The directives: {@code # key=value} lines before anything else; the first other line (a comment, a blank line,
     * an instruction) ends them, and so does an unknown key (it is a comment then), as in BuildKit.
     */
    private void readDirectives() throws DockerfileException {
        Set<String> seen = new java.util.HashSet<>();
        for (; next < lines.length; next++) {
            String line = lines[next].strip();
            int eq = line.indexOf('=');
            if (!line.startsWith("#") || eq < 0) {
                return;
            }
            String key = line.substring(1, eq).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (!key.equals("escape") && !key.equals("syntax") && !key.equals("check")) {
                return;
            }
            if (!seen.add(key)) {
                throw new DockerfileException(next + 1, 1, "the parser directive \"" + key + "\" is given twice");
            }
            int column = lines[next].indexOf('=') + 2;
            if (key.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new DockerfileException(next + 1, column, "# escape= takes \\ or ` , not \"" + value + "\"");
                }
                escape = value.charAt(0);
            } else if (key.equals("syntax")) {
                checkSyntax(value, next + 1, column);
                syntax = value;
            }
        }
    }

    /**
     * Only the built-in frontend: no other frontend image can be fetched and run here, and one that differs from it
     * would be built with other semantics than the file's author expects.
     */
    private static void checkSyntax(String value, int line, int column) throws DockerfileException {
        String image = value;
        int at = image.indexOf('@');
        if (at >= 0) {
            image = image.substring(0, at);
        }
        for (String prefix : List.of("docker.io/", "index.docker.io/")) {
            if (image.startsWith(prefix)) {
                image = image.substring(prefix.length());
            }
        }
        String version = image.startsWith("docker/dockerfile:") ? image.substring("docker/dockerfile:".length()) : "";
        boolean one = version.equals("1") || version.startsWith("1.") && version.length() > 2
                && version.substring(2).chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
        if (!one) {
            throw new DockerfileException(line, column, "# syntax=" + value + " names a frontend other than"
                    + " docker/dockerfile:1.x; no frontend image can be fetched here, so only the built-in"
                    + " docker/dockerfile:1 syntax is supported (remove the line or write docker/dockerfile:1)");
        }
    }

    /** The next instruction, or null at the end of the file. */
    private Instruction nextInstruction() throws DockerfileException {
        while (next < lines.length && ignorable(lines[next])) {
            next++;
        }
        if (next >= lines.length) {
            return null;
        }
        int line = next + 1;
        String first = lines[next];
        StringBuilder logical = new StringBuilder();
        String current = first;
        next++;
        while (true) {
            String continued = withoutContinuation(current);
            if (continued == null) {
                logical.append(current);
                break;
            }
            logical.append(continued);
            while (next < lines.length && ignorable(lines[next])) {
                next++; // comments and (deprecated) empty lines inside a continuation are dropped, as docker does
            }
            if (next >= lines.length) {
                break;
            }
            current = lines[next++];
        }
        return instruction(line, first, logical.toString());
    }

    private static boolean ignorable(String line) {
        String stripped = line.strip();
        return stripped.isEmpty() || stripped.startsWith("#");
    }

    /** The line without its trailing escape character (and the blanks after it), or null when it does not continue. */
    private String withoutContinuation(String line) {
        String trimmed = stripTrailingBlanks(line);
        if (trimmed.isEmpty() || trimmed.charAt(trimmed.length() - 1) != escape) {
            return null;
        }
        return trimmed.substring(0, trimmed.length() - 1);
    }

    private static String stripTrailingBlanks(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }

    private Instruction instruction(int line, String firstLine, String logical) throws DockerfileException {
        int start = firstNonBlank(logical, 0);
        int end = start;
        while (end < logical.length() && !isBlank(logical.charAt(end))) {
            end++;
        }
        String word = logical.substring(start, end);
        String keyword = word.toUpperCase(Locale.ROOT);
        if (!KEYWORDS.contains(keyword)) {
            throw new DockerfileException(line, start + 1, "unknown instruction \"" + word + "\"" + (word.isEmpty()
                    || !word.chars().allMatch(Character::isLetter) ? "" : "; the Dockerfile reference has "
                            + String.join(", ", KEYWORDS.stream().sorted().toList())));
        }
        int position = firstNonBlank(logical, end);
        Map<String, String> flags = new LinkedHashMap<>();
        if (!keyword.equals("ONBUILD")) {
            position = readFlags(logical, position, flags, line, keyword);
        }
        String text = logical.substring(position).strip();
        int textColumn = position < firstLine.length() ? position + 1 : 0;
        List<Instruction.Heredoc> heredocs = HEREDOC_KEYWORDS.contains(keyword) ? readHeredocs(text, line)
                : List.of();
        List<String> json = heredocs.isEmpty() ? jsonArray(text) : null;
        return new Instruction(line, keyword, flags, text, json, textColumn, heredocs);
    }

    /** Reads {@code --name[=value]} words; returns where the arguments start. */
    private static int readFlags(String logical, int position, Map<String, String> flags, int line, String keyword)
            throws DockerfileException {
        while (logical.startsWith("--", position) && position + 2 < logical.length()
                && Character.isLetter(logical.charAt(position + 2))) {
            int end = position;
            while (end < logical.length() && !isBlank(logical.charAt(end))) {
                end++;
            }
            String flag = logical.substring(position + 2, end);
            int eq = flag.indexOf('=');
            String name = eq < 0 ? flag : flag.substring(0, eq);
            String value = eq < 0 ? null : flag.substring(eq + 1);
            if (flags.containsKey(name) && !name.equals("mount") && !name.equals("exclude")) {
                throw new DockerfileException(line, position + 1, keyword + " --" + name + " is given twice");
            }
            flags.merge(name, value == null ? "" : value, (a, b) -> a + "\n" + b);
            position = firstNonBlank(logical, end);
        }
        return position;
    }

    /**
     * The heredocs the arguments open ({@code <<EOF}, {@code <<-EOF}, {@code <<"EOF"}), each read from the lines
     * that follow up to its terminator; {@code <<-} strips leading tabs, a quoted name turns off expansion.
     */
    private List<Instruction.Heredoc> readHeredocs(String text, int line) throws DockerfileException {
        List<Instruction.Heredoc> heredocs = new ArrayList<>();
        for (int at = text.indexOf("<<"); at >= 0; at = text.indexOf("<<", at + 2)) {
            if (at > 0 && !isBlank(text.charAt(at - 1))) {
                continue; // inside a word, like $((1<<2)): a heredoc starts a word of its own
            }
            int p = at + 2;
            boolean stripTabs = p < text.length() && text.charAt(p) == '-';
            if (stripTabs) {
                p++;
            }
            char quote = p < text.length() && (text.charAt(p) == '"' || text.charAt(p) == '\'') ? text.charAt(p) : 0;
            if (quote != 0) {
                p++;
            }
            int nameStart = p;
            while (p < text.length() && (Character.isLetterOrDigit(text.charAt(p)) || text.charAt(p) == '_')) {
                p++;
            }
            String name = text.substring(nameStart, p);
            if (name.isEmpty() || quote != 0 && (p >= text.length() || text.charAt(p) != quote)) {
                continue; // not a heredoc (e.g. a shift "<<" in a shell expression)
            }
            heredocs.add(readHeredocBody(name, stripTabs, quote == 0, line));
        }
        return heredocs;
    }

    private Instruction.Heredoc readHeredocBody(String name, boolean stripTabs, boolean expand, int line)
            throws DockerfileException {
        StringBuilder body = new StringBuilder();
        while (next < lines.length) {
            String bodyLine = lines[next++];
            String compared = stripTabs ? withoutLeadingTabs(bodyLine) : bodyLine;
            if (compared.equals(name)) {
                return new Instruction.Heredoc(name, body.toString(), expand);
            }
            body.append(compared).append('\n');
        }
        throw new DockerfileException(line, 0, "the heredoc <<" + name + " is never closed: no line \"" + name
                + "\" follows it");
    }

    private static String withoutLeadingTabs(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == '\t') {
            i++;
        }
        return line.substring(i);
    }

    /** The JSON array of strings {@code text} is, or null: anything else is the shell form, as docker reads it. */
    private static List<String> jsonArray(String text) {
        if (!text.startsWith("[") || !text.endsWith("]")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isArray()) {
                return null;
            }
            List<String> values = new ArrayList<>();
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    return null;
                }
                values.add(element.textValue());
            }
            return values;
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    private static int firstNonBlank(String text, int from) {
        int i = from;
        while (i < text.length() && isBlank(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
