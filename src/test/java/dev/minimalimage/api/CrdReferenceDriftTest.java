package dev.minimalimage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * docs/reference.md is rendered from the CRD (CrdReference) and checked in like crds/: a model change without the
 * regenerated reference fails here. scripts/update-crds.sh regenerates both.
 */
class CrdReferenceDriftTest {

    static final Path CHECKED_IN = Path.of("docs", "reference.md");
    static final Path GENERATED = Path.of("target", "docs", "reference.md");

    @Test
    void checkedInReferenceMatchesTheCrd() throws IOException {
        String expected = CrdReference.render(Files.readString(CrdDriftTest.GENERATED.resolve(CrdDriftTest.CRD_FILE)));
        assertTrue(Files.isRegularFile(CHECKED_IN), CHECKED_IN + " is missing: run scripts/update-crds.sh");
        assertEquals(expected, Files.readString(CHECKED_IN),
                CHECKED_IN + " drifted from the CRD: run scripts/update-crds.sh (it copies " + GENERATED + ")");
    }

    @Test
    void theBuildWroteTheSameReference() throws IOException {
        assertTrue(Files.isRegularFile(GENERATED), GENERATED + " is missing: CrdPostProcessing writes it in"
                + " process-test-classes; run the tests through Maven");
        assertEquals(Files.readString(CHECKED_IN), Files.readString(GENERATED));
    }
}
