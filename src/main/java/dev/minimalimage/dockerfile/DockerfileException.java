package dev.minimalimage.dockerfile;

/**
 * A Dockerfile that cannot be built as written: a syntax error (line and column), or an instruction, flag or form
 * this builder does not support (line and instruction). The only exception the parser and planner throw for any
 * input.
 */
public final class DockerfileException extends Exception {

    /** What is wrong: the text, an instruction or form this builder does not run, or the rules for the result. */
    public enum Kind {
        /** Not a Dockerfile as the reference defines it: line and column. */
        SYNTAX,
        /** A valid instruction, flag or form that this builder cannot honour: line and instruction. */
        UNSUPPORTED,
        /** The final stage would not be FROM scratch: the image would carry a distribution. */
        FINAL_STAGE_NOT_SCRATCH
    }

    private final Kind kind;
    private final int line;
    private final int column;

    /** A syntax error; {@code column} 0 when the problem is the whole instruction rather than one place in it. */
    public DockerfileException(int line, int column, String message) {
        this(Kind.SYNTAX, line, column, message);
    }

    public DockerfileException(Kind kind, int line, int column, String message) {
        this(kind, "Dockerfile", line, column, message);
    }

    /** A problem in another file the build reads ({@code .dockerignore}). */
    DockerfileException(Kind kind, String file, int line, int column, String message) {
        super(where(file, line, column) + message);
        this.kind = kind;
        this.line = line;
        this.column = column;
    }

    static DockerfileException unsupported(Instruction instruction, String message) {
        return new DockerfileException(Kind.UNSUPPORTED, instruction.line(), 0, instruction.keyword() + ": " + message);
    }

    public Kind kind() {
        return kind;
    }

    private static String where(String file, int line, int column) {
        if (line <= 0) {
            return file + ": ";
        }
        return file + " line " + line + (column > 0 ? ", column " + column : "") + ": ";
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
