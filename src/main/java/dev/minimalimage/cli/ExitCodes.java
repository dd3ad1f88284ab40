package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Process exit codes; see {@link dev.minimalimage.result.ResultReason#exitCode()} for packaging failures. */
final class ExitCodes {
    static final int OK = 0;
    static final int INTERNAL = 1;
    static final int BAD_ARGUMENTS = 2;

    private ExitCodes() {
    }

    /**
     * A builder pod step's exit code for the step that waits for it beside (the compile step for the fetch, the
     * packer for the compile step or a Dockerfile's last stage): one line, written to a temporary name and renamed,
     * so that a reader sees no line or the whole line.
     */
    static void write(Path file, int code) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, code + "\n", StandardCharsets.US_ASCII);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A step's work, ending in its exit code. */
    interface Step {
        int run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code step} and, when {@code file} is named, writes the code it ended with there, whatever the outcome:
     * an exception leaves {@code failure}, so that the step waiting beside it learns of the end either way.
     */
    static int writtenTo(Path file, int failure, Step step) throws IOException, InterruptedException {
        int code = failure;
        try {
            code = step.run();
            return code;
        } finally {
            if (file != null) {
                write(file, code);
            }
        }
    }
}
