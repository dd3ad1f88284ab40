package dev.minimalimage.planning;

import java.util.Map;

import dev.minimalimage.result.ResultReason;

/**
 * Exit codes of the compile step that mean more than "the build failed". The compile script gets them as shell
 * variables (EXIT_*), so the numbers live here only; the operator maps each to its own status reason.
 */
public final class CompileExitCodes {

    // codes no compiler, build tool or shell uses (not 127, not the sysexits 64-78), so a project's own failure is
    // never mistaken for one of these

    /** A tool the project's build system needs is not in the toolchain image. */
    public static final int TOOL_MISSING = 201;
    /** The build produced no executable, or not the one spec.language.executable names. */
    public static final int EXECUTABLE_NOT_FOUND = 202;
    /** The build produced several executables and the spec names none. */
    public static final int EXECUTABLE_AMBIGUOUS = 203;
    /** Bundle mode: a library the program needs is not in the toolchain image (see bundle-staging.sh). */
    public static final int BUNDLE_INCOMPLETE = 204;
    /**
     * The compile step could not write its exit code for the packer beside it (a full disk, say): whatever the build
     * did, the step fails, and the operator stops the pod whose packer still waits.
     */
    public static final int HANDOVER_FAILED = 205;
    /**
     * The fetch step beside the compile step ended without a checkout: the compile step builds nothing and says so.
     * The packer reports it as a compile failure; the status reports the fetch step's own failure, which comes first.
     */
    public static final int SOURCE_UNAVAILABLE = 206;
    /**
     * What `stage-bundle` exits with when a library is missing; the compile script turns exactly this into
     * {@link #BUNDLE_INCOMPLETE} (any other failure of it, e.g. a corrupt ELF file, stays a compile failure).
     */
    public static final int STAGED_LIBRARY_MISSING = 10;

    private CompileExitCodes() {
    }

    /** The status reason for a compile step that exited with {@code exitCode}. */
    public static ResultReason reasonOf(int exitCode) {
        return switch (exitCode) {
            case TOOL_MISSING -> ResultReason.ToolchainToolMissing;
            case EXECUTABLE_NOT_FOUND -> ResultReason.ExecutableNotFound;
            case EXECUTABLE_AMBIGUOUS -> ResultReason.ExecutableAmbiguous;
            case BUNDLE_INCOMPLETE -> ResultReason.BundleIncomplete;
            default -> ResultReason.CompileFailed;
        };
    }

    static Map<String, Integer> shellVariables() {
        return Map.of("EXIT_TOOL_MISSING", TOOL_MISSING, "EXIT_EXECUTABLE_NOT_FOUND", EXECUTABLE_NOT_FOUND,
                "EXIT_EXECUTABLE_AMBIGUOUS", EXECUTABLE_AMBIGUOUS, "EXIT_BUNDLE_INCOMPLETE", BUNDLE_INCOMPLETE,
                "EXIT_STAGED_LIBRARY_MISSING", STAGED_LIBRARY_MISSING);
    }
}
