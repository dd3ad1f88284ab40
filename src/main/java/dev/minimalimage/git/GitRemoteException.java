package dev.minimalimage.git;

/**
 * A git remote could not be asked for its refs, or has no such ref. The message names the URL masked
 * ({@link UrlMasking}) and the cause; it never holds a credential. JGit's exception is not attached as the cause,
 * since its message may carry the URL's query or user: its text is in the message, masked.
 */
public final class GitRemoteException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong, for a status reason. */
    public enum Reason {
        /** The server refused the credentials, or wants some and none were given. */
        AUTH_FAILED,
        /** The ssh server's host key is not in known_hosts (unknown or changed). */
        HOST_KEY_REJECTED,
        /** The remote has no branch or tag of that name (or no HEAD). */
        NO_SUCH_REF,
        /** No connection: unknown host, refused, no route, timed out. */
        UNREACHABLE,
        /** The server answered but there is no repository at that path. */
        NOT_A_REPOSITORY,
        /** Anything else: a malformed URL, a protocol error. */
        FAILED
    }

    private final Reason reason;
    private final String maskedUrl;

    GitRemoteException(Reason reason, String maskedUrl, String message) {
        super(message);
        this.reason = reason;
        this.maskedUrl = maskedUrl;
    }

    public Reason reason() {
        return reason;
    }

    /** The remote's URL with credentials and query masked. */
    public String maskedUrl() {
        return maskedUrl;
    }
}
