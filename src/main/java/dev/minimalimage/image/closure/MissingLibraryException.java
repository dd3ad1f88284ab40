package dev.minimalimage.image.closure;

import java.io.IOException;
import java.util.List;

/** A DT_NEEDED library (or the program interpreter) that is nowhere the loader would look. */
public final class MissingLibraryException extends IOException {

    private final String library;
    private final String neededBy;
    private final List<String> searched;

    MissingLibraryException(String library, String neededBy, List<String> searched) {
        super(library + " (needed by " + neededBy + ") not found; searched: "
                + (searched.isEmpty() ? "(nothing)" : String.join(", ", searched)));
        this.library = library;
        this.neededBy = neededBy;
        this.searched = List.copyOf(searched);
    }

    public String library() {
        return library;
    }

    public String neededBy() {
        return neededBy;
    }

    public List<String> searched() {
        return searched;
    }
}
