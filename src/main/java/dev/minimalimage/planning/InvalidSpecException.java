package dev.minimalimage.planning;

/** The resource asks for something no build can do; reported as InvalidSpec and not retried. */
public final class InvalidSpecException extends Exception {
    public InvalidSpecException(String message) {
        super(message);
    }
}
