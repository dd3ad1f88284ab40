package dev.minimalimage.cli;

/** Process exit codes; see {@link dev.minimalimage.result.ResultReason#exitCode()} for packaging failures. */
final class ExitCodes {
    static final int OK = 0;
    static final int INTERNAL = 1;
    static final int BAD_ARGUMENTS = 2;

    private ExitCodes() {
    }
}
