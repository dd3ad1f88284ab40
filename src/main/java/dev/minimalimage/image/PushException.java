package dev.minimalimage.image;

import java.time.Duration;

/** A push that failed, classified so callers can map it to an exit code or a status reason. */
public final class PushException extends Exception {

    public enum Kind {
        /** Credentials missing, wrong, or lacking push rights. Retrying does not help. */
        UNAUTHORIZED,
        /**
         * Connection refused, DNS, timeouts, 429 and 5xx that outlasted the retry budget; also a registry whose TLS
         * certificate is not trusted (not retried).
         */
        UNAVAILABLE,
        /** The registry understood and said no (e.g. invalid manifest, unsupported media type). */
        REJECTED
    }

    private final Kind kind;
    private final boolean transientFailure;
    private final Duration retryAfter;

    /** A final failure: never retried. */
    public PushException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, false, null);
    }

    /**
     * @param transientFailure whether trying again later may succeed (see {@link RegistryRetry})
     * @param retryAfter what the registry's Retry-After header asked for, or null
     */
    public PushException(Kind kind, String message, Throwable cause, boolean transientFailure, Duration retryAfter) {
        super(message, cause);
        this.kind = kind;
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
