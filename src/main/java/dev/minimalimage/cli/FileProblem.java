package dev.minimalimage.cli;

/**
 * A file or directory named on the command line that cannot be used, with the option, the path and the system's
 * reason already in the message ({@link FileErrors}); exit code 2, reason FileError.
 */
final class FileProblem extends RuntimeException {

    FileProblem(String message) {
        super(message);
    }
}
