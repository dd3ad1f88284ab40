package dev.minimalimage.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * One instruction as written, before variables are substituted: its keyword in upper case, the {@code --name=value}
 * flags in front of its arguments, the arguments either as a JSON array ({@code json}, the exec form) or as text
 * ({@code text}, continuation lines joined), and the bodies of its heredocs in order.
 *
 * @param line the physical line the instruction starts on (1-based)
 * @param textColumn where {@code text} starts on that line, for error columns
 */
public record Instruction(int line, String keyword, Map<String, String> flags, String text, List<String> json,
        int textColumn, List<Heredoc> heredocs) {

    public Instruction {
        flags = Map.copyOf(flags);
        json = json == null ? null : List.copyOf(json);
        heredocs = List.copyOf(heredocs);
    }

    /** {@code <<NAME} (or {@code <<-NAME}, quoted: no expansion) and the lines up to its terminator. */
    public record Heredoc(String name, String body, boolean expand) {
    }

    public boolean execForm() {
        return json != null;
    }
}
