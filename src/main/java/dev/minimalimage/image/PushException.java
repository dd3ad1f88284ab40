package dev.minimalimage.image;

/** A push that failed, classified so callers can map it to an exit code or a status reason. */
public final class PushException extends Exception {

    public enum Kind {
        /** Credentials missing, wrong, or lacking push rights. Retrying does not help. */
        UNAUTHORIZED,
        /** Connection refused, DNS, timeouts, 5xx and 429 that outlasted the retries. */
        UNAVAILABLE,
        /** The registry understood and said no (e.g. invalid manifest, unsupported media type). */
        REJECTED
    }

    private final Kind kind;

    public PushException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
