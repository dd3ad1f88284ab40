package dev.minimalimage.result;

/**
 * What a user can do about a refusal, in the command line's terms; the operator, whose users write a spec instead,
 * swaps these for its own words (one string in one place, so the swap cannot drift from the text).
 */
public final class Remedies {

    /** A dynamic binary refused by the link policy. */
    public static final String DYNAMIC_BINARY =
            " (link statically, or pass --bundle to ship its libraries with it, or --allow-dynamic to ship it anyway)";

    /** A dynamic ELF file in a Dockerfile's final stage: the fix for each usual toolchain. */
    public static final String DYNAMIC_IN_DOCKERFILE = " (link it statically in the stage that builds it: gcc -static"
            + " or musl-gcc -static for C, g++ -static for C++, CGO_ENABLED=0 for Go, RUSTFLAGS='-C"
            + " target-feature=+crt-static' for Rust; or pass --bundle to ship its libraries from that stage)";

    private Remedies() {
    }
}
