package dev.minimalimage.dockerfile;

import java.util.List;

/**
 * A Dockerfile split into instructions: its escape character and the {@code # syntax} it names (null when none), then
 * every instruction in order.
 */
public record ParsedDockerfile(char escape, String syntax, List<Instruction> instructions) {

    public ParsedDockerfile {
        instructions = List.copyOf(instructions);
    }
}
