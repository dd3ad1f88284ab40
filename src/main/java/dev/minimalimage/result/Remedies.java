package dev.minimalimage.result;

/**
 * What a user can do about a refusal, in the command line's terms; the operator, whose users write a spec instead,
 * swaps these for its own words (one string in one place, so the swap cannot drift from the text).
 */
public final class Remedies {

    /** A dynamic binary refused by the link policy. */
    public static final String DYNAMIC_BINARY =
            " (link statically, or pass --bundle to ship its libraries with it, or --allow-dynamic to ship it anyway)";

    private Remedies() {
    }
}
