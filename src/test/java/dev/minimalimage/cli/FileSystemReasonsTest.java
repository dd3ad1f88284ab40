package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.Processes;

/**
 * The two file-system reasons a root test process never meets on its own, through the real main: "permission denied"
 * (the JVM started without CAP_DAC_OVERRIDE, so root's files obey their modes) and "read-only file system" (a
 * read-only bind mount in a mount namespace of its own).
 */
class FileSystemReasonsTest {

    private static final String HELLO = "int main(void){return 0;}\n";

    /** Root, but held to the file modes like any owner. */
    private static final List<String> WITHOUT_OVERRIDE = List.of("setpriv",
            "--bounding-set=-dac_override,-dac_read_search");

    @Test
    void permissionDeniedIsSaidAsSuch(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "setpriv");
        Path hello = Compilers.muslGcc(dir, "hello", HELLO, "-static");
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path secret = Files.copy(hello, dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));

        MainProcess layout = MainProcess.run(dir, WITHOUT_OVERRIDE, env -> { }, "package", hello.toString(),
                "--oci-layout", locked.resolve("layout").toString());
        assertThat(layout.exitCode()).as(layout.all()).isEqualTo(2);
        assertThat(record(layout).message()).isEqualTo("--oci-layout " + locked.resolve("layout")
                + ": permission denied (its parent " + locked + ")");

        MainProcess inspect = MainProcess.run(dir, WITHOUT_OVERRIDE, env -> { }, "inspect", hello.toString(),
                secret.toString());
        assertThat(inspect.exitCode()).as(inspect.all()).isEqualTo(2);
        assertThat(inspect.stdout()).startsWith(hello + ": Static");
        assertThat(inspect.stderr()).isEqualTo("error: " + secret + ": permission denied\n");
    }

    @Test
    void aReadOnlyFileSystemIsSaidAsSuch(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "unshare", "mount");
        Path hello = Compilers.muslGcc(dir, "hello", HELLO, "-static");
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        List<String> inReadOnlyMount = List.of("unshare", "--mount", "sh", "-c",
                "mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"", readOnly.toString());
        MainProcess run = MainProcess.run(dir, inReadOnlyMount, env -> { }, "package", hello.toString(),
                "--oci-layout", dir.resolve("layout").toString(), "--result-file", readOnly.resolve("r.json").toString());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
        assertThat(record(run).reason()).isEqualTo("FileError");
        assertThat(record(run).message()).isEqualTo("--result-file " + readOnly.resolve("r.json")
                + ": read-only file system");
        assertThat(dir.resolve("layout")).as("checked before any work").doesNotExist();
    }

    private static BuildResult record(MainProcess run) throws Exception {
        return BuildResult.parse(run.stdout().strip());
    }
}
