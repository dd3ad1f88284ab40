package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Processes;

/**
 * scripts/minimal-image's start-up archive (AppCDS), on the packaged application: the first `package` records it
 * next to the jar under a name that carries its size, a truncated one (which would kill the JVM with SIGBUS if
 * mapped) is neither used nor in the way, and a rebuilt application gets a new one instead of a stale one.
 */
class LauncherIT {

    private static final Path APP = Path.of("target/quarkus-app").toAbsolutePath();
    private static final String HELLO = "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n";

    @TempDir
    Path work;

    @Test
    void theArchiveIsRecordedOnceKeyedAndNeverMappedWhenIncomplete() throws Exception {
        Path app = linkedCopyOfTheApplication();
        Path binary = Compilers.muslGcc(work, "hello", HELLO, "-static");

        assertPackages(app, binary, "first");
        Path archive = onlyArchive(app);
        assertThat(archive.getFileName().toString()).endsWith("-" + Files.size(archive) + ".jsa");
        assertThat(partials(app)).as("no temporary archive left behind").isEmpty();

        long truncated = Files.size(archive) / 2;
        truncate(archive, truncated); // as a crash while writing it would leave it under that name
        assertPackages(app, binary, "truncated");
        // the truncated file is gone now (a new recording replaces it; its size, so its name, can differ)
        Path rerecorded = onlyArchive(app);
        assertThat(Files.size(rerecorded)).as("a whole archive recorded again").isGreaterThan(truncated);
        assertThat(rerecorded.getFileName().toString()).endsWith("-" + Files.size(rerecorded) + ".jsa");

        Files.setLastModifiedTime(app.resolve("quarkus-run.jar"), FileTime.from(Instant.now().plusSeconds(60)));
        assertPackages(app, binary, "rebuilt");
        assertThat(onlyArchive(app).getFileName()).as("a rebuilt application gets its own archive")
                .isNotEqualTo(rerecorded.getFileName());
    }

    /** The application's directories as links, its launcher jar as a file of its own (the archive goes beside it). */
    private Path linkedCopyOfTheApplication() throws IOException {
        assertThat(APP.resolve("quarkus-run.jar")).as("mvn package first").exists();
        Path app = Files.createDirectories(work.resolve("quarkus-app"));
        for (String dir : List.of("app", "lib", "quarkus")) {
            Files.createSymbolicLink(app.resolve(dir), APP.resolve(dir));
        }
        Files.copy(APP.resolve("quarkus-run.jar"), app.resolve("quarkus-run.jar"));
        return app;
    }

    private void assertPackages(Path app, Path binary, String when) throws IOException {
        Path layout = work.resolve("layout-" + when);
        Processes.Result run = Processes.run(Duration.ofMinutes(2),
                List.of("scripts/minimal-image", "package", binary.toString(), "--oci-layout", layout.toString()),
                Map.of("MINIMAL_IMAGE_JAR", app.resolve("quarkus-run.jar").toString()), null);
        assertThat(run.exitCode()).as(when + ": " + run.stderr()).isZero();
        assertThat(new ObjectMapper().readTree(run.stdout()).path("outcome").asText())
                .as(when + ": stdout is the result record and nothing else").isEqualTo("Succeeded");
    }

    private static Path onlyArchive(Path app) throws IOException {
        try (Stream<Path> files = Files.list(app)) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
            assertThat(archives).as("one archive beside the jar").hasSize(1);
            return archives.get(0);
        }
    }

    private static List<Path> partials(Path app) throws IOException {
        try (Stream<Path> files = Files.list(app)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }
}
