package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import dev.minimalimage.result.SmokeTestResult;
import dev.minimalimage.testsupport.Processes;
import picocli.CommandLine;

/**
 * `build --smoke-test` runs the delivered image from an empty root on this machine: real programs built with the
 * host's gcc, run as the image would be (entrypoint, smoke arguments, only the image's env, its working directory
 * and user, no network); failures carry their exit code and output; a host without the sandbox cannot run the test,
 * which fails the build (exit code 11) unless --smoke-test-optional.
 */
class BuildSmokeTestTest {

    /** Prints its arguments, environment size, working directory, user and whether it has a network interface up. */
    private static final String REPORTER = """
            #include <stdio.h>
            #include <unistd.h>
            #include <sys/socket.h>
            #include <netinet/in.h>
            #include <arpa/inet.h>
            extern char **environ;
            int main(int argc, char **argv) {
                char cwd[256];
                int vars = 0;
                while (environ[vars]) vars++;
                struct sockaddr_in out = { .sin_family = AF_INET, .sin_port = htons(53) };
                inet_pton(AF_INET, "1.1.1.1", &out.sin_addr);
                int s = socket(AF_INET, SOCK_DGRAM, 0);
                int online = connect(s, (struct sockaddr *) &out, sizeof out) == 0;
                printf("hello %s %s vars=%d first=%s cwd=%s uid=%d gid=%d online=%d\\n", argc > 1 ? argv[1] : "-",
                       argc > 2 ? argv[2] : "-", vars, vars ? environ[0] : "-", getcwd(cwd, sizeof cwd), getuid(),
                       getgid(), online);
                return 0;
            }
            """;

    @Test
    void aStaticProgramPassesRunAsTheImageWouldBe(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "unshare");
        CliRun run = build(dir, REPORTER, "--env", "GREETING=hi", "--workdir", "/data", "--arg", "image-arg",
                "--smoke-test", "from  scratch", "--smoke-output-pattern", "hello from scratch vars=1");
        assertThat(run.exitCode()).as(run.all()).isZero();
        SmokeTestResult test = run.result().smokeTest();
        assertThat(test.ran()).isTrue();
        assertThat(test.passed()).isTrue();
        assertThat(test.exitCode()).isZero();
        assertThat(test.runAs()).as("no /etc/passwd in the image: gid 0, as containerd and runc give")
                .isEqualTo("65532:0");
        assertThat(test.output()).isEqualTo("hello from scratch vars=1 first=GREETING=hi cwd=/data uid=65532"
                + " gid=0 online=0");
        assertThat(test.message()).contains("exit code 0 as expected, output matches");
        assertThat(run.stderr()).contains("smoke test passed");
        assertThat(run.result().succeeded()).isTrue();

        CliRun imageArgs = build(dir.resolve("again"), REPORTER, "--arg", "image-arg", "--smoke-test", "");
        assertThat(imageArgs.result().smokeTest().output()).as(imageArgs.all()).startsWith("hello image-arg - vars=0");
    }

    @Test
    void aWrongExitCodeFailsWithItsOutputAndExitCodeNine(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "unshare");
        CliRun run = build(dir, """
                #include <stdio.h>
                #include <unistd.h>
                int main(void) { fprintf(stderr, "cannot open config as uid %d\\n", getuid()); return 3; }
                """, "--user", "0", "--smoke-test", "");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(9).isEqualTo(ResultReason.SmokeTestFailed.exitCode());
        BuildResult result = run.result();
        assertThat(result.reason()).isEqualTo("SmokeTestFailed");
        assertThat(result.digest()).as("the image was delivered all the same").startsWith("sha256:");
        assertThat(result.message()).contains("exit code 3, expected 0", "cannot open config as uid 65532",
                "instead of root");
        assertThat(result.smokeTest().exitCode()).isEqualTo(3);
        assertThat(result.smokeTest().passed()).isFalse();
        assertThat(result.smokeTest().runAs()).isEqualTo("65532:0");
        assertThat(result.smokeTest().output()).isEqualTo("cannot open config as uid 65532");
        assertThat(run.stderr()).contains("error: SmokeTestFailed: smoke test failed: exit code 3");

        CliRun expected = build(dir.resolve("expected"), "int main(void) { return 3; }\n", "--smoke-test", "",
                "--smoke-expect-exit", "3", "--smoke-output-pattern", "never printed");
        assertThat(expected.exitCode()).as(expected.all()).isEqualTo(9);
        assertThat(expected.result().message()).contains("exit code 3 as expected, but the output does not match"
                + " --smoke-output-pattern never printed; no output");
    }

    @Test
    void theGroupIsTheImagesOrElseItsPasswdEntrysAsARuntimeResolvesIt(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "unshare");
        CliRun passwd = build(dir.resolve("passwd"), REPORTER, "--user", "1000", "--passwd", "--smoke-test", "");
        assertThat(passwd.result().smokeTest().runAs()).as(passwd.all()).isEqualTo("1000:1000");
        assertThat(passwd.result().smokeTest().output()).contains("uid=1000 gid=1000");
        CliRun explicit = build(dir.resolve("explicit"), REPORTER, "--user", "1000:2000", "--smoke-test", "");
        assertThat(explicit.result().smokeTest().runAs()).as(explicit.all()).isEqualTo("1000:2000");
        assertThat(explicit.result().smokeTest().output()).contains("uid=1000 gid=2000");
    }

    @Test
    void theUsersGroupComesFromTheImagesOwnPasswdNeverThroughALink(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root/etc"));
        Files.writeString(root.resolve("passwd"), """
                root:x:0:0:root:/root:/sbin/nologin
                broken:x:1000
                named:x:1000:staff:/:/sbin/nologin
                app:x:1000:4242:app:/app:/sbin/nologin
                later:x:1000:7:later:/:/sbin/nologin
                nonroot:x:65532:5555:nonroot:/:/sbin/nologin
                """);
        Path image = dir.resolve("root");
        assertThat(Sandbox.User.of("1000", image)).hasToString("1000:4242");
        assertThat(Sandbox.User.of("1000:3", image)).hasToString("1000:3");
        assertThat(Sandbox.User.of("0", image)).isEqualTo(new Sandbox.User(65532, 5555, true));
        assertThat(Sandbox.User.of("0:0", image)).isEqualTo(new Sandbox.User(65532, 0, true));
        assertThat(Sandbox.User.of("2000", image)).as("no entry").hasToString("2000:0");
        assertThat(Sandbox.User.of("app", image)).isNull();

        Path outside = Files.createDirectories(dir.resolve("host-etc"));
        Files.writeString(outside.resolve("passwd"), "app:x:1000:4242:app:/app:/sbin/nologin\n");
        Path linkedFile = Files.createDirectories(dir.resolve("linked-file/etc"));
        Files.createSymbolicLink(linkedFile.resolve("passwd"), outside.resolve("passwd"));
        assertThat(Sandbox.User.of("1000", dir.resolve("linked-file"))).hasToString("1000:0");
        Files.createDirectories(dir.resolve("linked-dir"));
        Files.createSymbolicLink(dir.resolve("linked-dir/etc"), outside);
        assertThat(Sandbox.User.of("1000", dir.resolve("linked-dir"))).hasToString("1000:0");
    }

    @Test
    void theRootIsReadOnlyLikeTheSmokeTestPods(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "unshare");
        CliRun run = build(dir, """
                #include <errno.h>
                #include <fcntl.h>
                #include <stdio.h>
                #include <string.h>
                int main(void) {
                    const char *paths[] = { "/app/written", "/tmp/written" };
                    int failures = 0;
                    for (int i = 0; i < 2; i++) {
                        int fd = open(paths[i], O_WRONLY | O_CREAT | O_EXCL, 0644);
                        if (fd < 0) {
                            printf("cannot create %s: %s\\n", paths[i], strerror(errno));
                            failures++;
                        } else {
                            printf("created %s\\n", paths[i]);
                        }
                    }
                    return failures;
                }
                """, "--tmp", "--smoke-test", "");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(9);
        assertThat(run.result().reason()).isEqualTo("SmokeTestFailed");
        assertThat(run.result().smokeTest().exitCode()).as(run.all()).isEqualTo(1);
        // /tmp stays writable, as the pod's emptyDir there is
        assertThat(run.result().smokeTest().output()).contains("cannot create /app/written: Permission denied",
                "created /tmp/written");
    }

    @Test
    void aDynamicBinaryForcedThroughFailsWithNoSuchFileOrDirectory(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("gcc", "unshare");
        Path source = Files.createDirectories(dir.resolve("src"));
        Files.writeString(source.resolve("main.c"), "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n");
        CliRun run = CliRun.of("build", "--language", "custom", "--script", "gcc -o \"$OUT\" \"$SRC/main.c\"",
                "--source", source.toString(), "--build-dir", dir.resolve("work").toString(), "--oci-layout",
                dir.resolve("layout").toString(), "--allow-dynamic", "--smoke-test", "");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(9);
        BuildResult result = run.result();
        assertThat(result.link().verdict()).isEqualTo("Dynamic");
        assertThat(result.reason()).isEqualTo("SmokeTestFailed");
        assertThat(result.smokeTest().exitCode()).isEqualTo(127);
        assertThat(result.message()).contains("no such file or directory", "failed to execute /app/app");
    }

    @Test
    void aProgramStillRunningAtTheTimeoutIsKilledWithEverythingItStarted(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "unshare");
        CliRun run = build(dir, """
                #include <stdio.h>
                #include <unistd.h>
                int main(void) { fork(); puts("waiting"); fflush(stdout); sleep(300); return 0; }
                """, "--smoke-test", "", "--smoke-timeout", "1s");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(9);
        assertThat(run.result().message()).contains("did not exit within --smoke-timeout (1s) and was killed",
                "waiting");
        assertThat(run.result().smokeTest().exitCode()).isNull();
        List<String> left = new ArrayList<>();
        // seen from here, a sandboxed program's executable lies in the temporary root
        ProcessHandle.allProcesses().forEach(p -> p.info().command()
                .filter(c -> c.contains("minimal-image-smoke-root")).ifPresent(left::add));
        assertThat(left).as("processes of the smoke test still running").isEmpty();
    }

    @Test
    void aTestThisHostCannotRunFailsTheBuildUnlessItIsOptional(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc");
        Path unshare = dir.resolve("unshare");
        Files.writeString(unshare, "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n");
        Files.setPosixFilePermissions(unshare, PosixFilePermissions.fromString("rwx------"));
        Path source = Files.createDirectories(dir.resolve("src"));
        Files.writeString(source.resolve("main.c"), "int main(void) { return 0; }\n");
        CommandLine.IFactory hostWithoutNamespaces = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = CommandLine.defaultFactory().create(type);
                if (command instanceof BuildCommand build) {
                    build.sandbox = new Sandbox(unshare.toString());
                }
                return command;
            }
        };
        List<String> args = List.of("build", "--language", "c", "--source", source.toString(), "--build-dir",
                dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString(), "--smoke-test",
                "--version");

        CliRun required = CliRun.of(hostWithoutNamespaces, args.toArray(String[]::new));
        assertThat(required.exitCode()).as(required.all()).isEqualTo(11)
                .isEqualTo(ResultReason.SmokeTestNotRun.exitCode());
        BuildResult notRun = required.result();
        assertThat(notRun.reason()).isEqualTo("SmokeTestNotRun");
        assertThat(notRun.message()).startsWith("smoke test could not run here: this host cannot run the image")
                .contains("--smoke-test-optional");
        assertThat(notRun.digest()).as("the image was delivered all the same").startsWith("sha256:");
        assertThat(required.stderr()).contains("error: SmokeTestNotRun: smoke test could not run here");

        List<String> optional = new ArrayList<>(args);
        optional.add("--smoke-test-optional");
        CliRun run = CliRun.of(hostWithoutNamespaces, optional.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.all()).isZero();
        SmokeTestResult test = run.result().smokeTest();
        assertThat(test.ran()).isFalse();
        assertThat(test.passed()).isNull();
        assertThat(test.message()).startsWith("this host cannot run the image from an empty root: " + unshare)
                .endsWith("exited with 1: unshare: unshare failed: Operation not permitted");
        assertThat(run.stderr()).contains("warning: smoke test skipped: this host cannot run the image")
                .contains("smoke test: ").contains("(not run)");
        assertThat(dir.resolve("layout/index.json")).exists();
    }

    @Test
    void smokeSettingsNeedTheTestAndValidValues(@TempDir Path dir) {
        CliRun alone = CliRun.of("build", "--language", "c", "--source", dir.toString(), "--oci-layout",
                dir.resolve("layout").toString(), "--smoke-timeout", "10s");
        assertThat(alone.exitCode()).isEqualTo(2);
        assertThat(alone.stderr()).contains("--smoke-timeout only apply with --smoke-test");
        CliRun tooLong = CliRun.of("build", "--language", "c", "--source", dir.toString(), "--oci-layout",
                dir.resolve("layout").toString(), "--smoke-test", "", "--smoke-timeout", "10m");
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.stderr()).contains("--smoke-timeout must be between 1s and 5m: 10m");
    }

    /** `build --language c` (musl, static) of one source file into an OCI layout, with {@code options}. */
    private static CliRun build(Path dir, String program, String... options) throws Exception {
        Path source = Files.createDirectories(dir.resolve("src"));
        Files.writeString(source.resolve("main.c"), program);
        List<String> args = new ArrayList<>(List.of("build", "--language", "c", "--source", source.toString(),
                "--build-dir", dir.resolve("work").toString(), "--oci-layout", dir.resolve("layout").toString()));
        args.addAll(List.of(options));
        return CliRun.of(args.toArray(String[]::new));
    }
}
