package dev.minimalimage.dockerfile;

/** A step that ran and failed: a COPY whose source is missing, a RUN that exited with an error. Names its line. */
public final class StepFailedException extends Exception {

    private final int line;

    public StepFailedException(int line, String message) {
        super("Dockerfile line " + line + ": " + message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
