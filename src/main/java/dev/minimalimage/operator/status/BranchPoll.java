package dev.minimalimage.operator.status;

/** What one look-up of a followed branch's head found: the commit, or why it could not be read (masked). */
public record BranchPoll(String commit, String failure, String time) {
}
