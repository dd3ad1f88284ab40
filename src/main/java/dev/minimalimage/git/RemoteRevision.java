package dev.minimalimage.git;

/**
 * A revision of a remote resolved without cloning.
 *
 * @param commit the commit SHA (40 hex, lower case); for an annotated tag the commit it points to
 * @param ref    the ref it came from (refs/heads/main, refs/tags/v1, HEAD), or null for a revision that was a SHA
 */
public record RemoteRevision(String commit, String ref) {
}
