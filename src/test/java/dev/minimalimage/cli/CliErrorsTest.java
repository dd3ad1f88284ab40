package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.Processes;
import picocli.CommandLine;

/**
 * The command line one step off the happy path, through the real entry point: usage errors in two lines, the
 * system's reason for every file problem (with the result record for `package`), outputs checked before any work,
 * layouts named for skopeo, user names refused, the right remedy for a plain-HTTP registry.
 */
class CliErrorsTest {

    private static final String HELLO = "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n";

    @Test
    void aUsageErrorIsTheErrorAndOneLineOnHelp() {
        for (List<String> args : List.of(List.of("build", "--language", "c", "--compression", "xz"),
                List.of("build", "--language", "cobol"), List.of("package", "--no-such-option", "x"))) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
            assertThat(run.stdout()).isEmpty();
            List<String> lines = run.stderr().lines().toList();
            assertThat(lines).as(run.stderr()).hasSize(2);
            assertThat(lines.get(0)).startsWith("error: ");
            assertThat(lines.get(1)).isEqualTo("Try 'minimal-image " + args.get(0) + " --help' for more information.");
        }
        assertThat(CliRun.of("build", "--language", "c", "--compression", "xz").stderr())
                .contains("'--compression'").contains("xz");
        assertThat(CliRun.of("build", "--language", "cobol").stderr()).contains("cobol");
    }

    @Test
    void everyCommandSummaryIsAWholeSentence() {
        CommandLine cli = MinimalImageCommand.commandLine(new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), CommandLine.defaultFactory());
        assertThat(cli.getSubcommands()).containsKeys("inspect", "package", "build", "fetch", "operator", "help");
        for (CommandLine sub : cli.getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            assertThat(description).as(sub.getCommandName()).isNotEmpty();
            assertThat(description[0]).as(sub.getCommandName() + ": the summary in the command list").endsWith(".");
        }
        CliRun help = CliRun.of("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("  operator ").contains("11  smoke test asked for");
    }

    @Test
    void inspectReportsEveryFileAndFailsIfOneCannotBeRead(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "gcc");
        Path musl = Compilers.muslGcc(dir, "musl", HELLO, "-static");
        Path glibc = Compilers.gcc(dir, "glibc", HELLO);
        Path missing = dir.resolve("missing");
        Path folder = Files.createDirectories(dir.resolve("folder"));

        CliRun run = CliRun.of("inspect", musl.toString(), missing.toString(), folder.toString(), glibc.toString());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
        assertThat(run.stdout()).startsWith(musl + ": Static\n  ").contains("\n" + glibc + ": Dynamic\n  ");
        assertThat(run.stdout().lines().filter(l -> !l.startsWith("  "))).as("one header line per file read")
                .containsExactly(musl + ": Static", glibc + ": Dynamic");
        assertThat(run.stderr()).isEqualTo("error: " + missing + ": no such file or directory\n"
                + "error: " + folder + ": is a directory\n");

        CliRun json = CliRun.of("inspect", "--json", musl.toString(), glibc.toString());
        assertThat(json.exitCode()).as(json.all()).isZero();
        List<String> lines = json.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("file").asText()).isEqualTo(musl.toString());
        assertThat(first.get("verdict").asText()).isEqualTo("Static");
        assertThat(mapper.readTree(lines.get(1)).get("needed").toString()).contains("libc.so.6");
    }

    @Test
    void fileProblemsGiveTheSystemsReasonAndTheResultRecord(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing");
        CliRun absent = CliRun.of("package", missing.toString(), "--oci-layout", dir.resolve("l1").toString());
        assertFileError(absent, missing + ": no such file or directory");

        CliRun folder = CliRun.of("package", dir.toString(), "--oci-layout", dir.resolve("l2").toString());
        assertFileError(folder, dir + ": is a directory");

        Processes.requireOnPath("musl-gcc");
        Path hello = Compilers.muslGcc(dir, "hello", HELLO, "-static");
        Path layout = dir.resolve("layout");
        CliRun archiveIsFolder = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString(),
                "--oci-archive", dir.toString());
        assertFileError(archiveIsFolder, "--oci-archive " + dir + ": is a directory (name a file)");
        assertThat(layout).as("checked before any work: no layout written").doesNotExist();

        Path noParent = dir.resolve("no/such/dir/result.json");
        CliRun resultFile = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString(),
                "--result-file", noParent.toString());
        assertFileError(resultFile, "--result-file " + noParent + ": no such file or directory");
        assertThat(layout).as("checked before any work: no layout written").doesNotExist();

        Path underAFile = hello.resolve("layout");
        CliRun layoutUnderFile = CliRun.of("package", hello.toString(), "--oci-layout", underAFile.toString());
        assertFileError(layoutUnderFile, "--oci-layout " + underAFile + ": not a directory (its parent " + hello + ")");

        Path caCerts = dir.resolve("no-ca.pem");
        CliRun input = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString(), "--ca-certs",
                caCerts.toString());
        assertFileError(input, "--ca-certs " + caCerts + ": no such file or directory");

        CliRun sourceInfo = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString(), "--source-info",
                dir.toString());
        assertFileError(sourceInfo, "--source-info " + dir + ": is a directory");
    }

    private static void assertFileError(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
        BuildResult result = run.result();
        assertThat(result.reason()).isEqualTo("FileError");
        assertThat(result.message()).isEqualTo(message);
        assertThat(run.stderr()).contains("error: FileError: " + message).doesNotContain("Exception");
    }

    @Test
    void aLayoutNamesItsImageForSkopeoAndTheRecordNamesTheLayout(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "skopeo");
        Path hello = Compilers.muslGcc(dir, "hello", HELLO, "-static");
        Path layout = dir.resolve("layout");
        CliRun latest = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString());
        assertThat(latest.exitCode()).as(latest.all()).isZero();
        assertThat(latest.result().image()).isEqualTo("oci:" + layout + ":latest");
        assertThat(skopeoDigest("oci:" + layout + ":latest")).isEqualTo(latest.result().digest());

        Path tagged = dir.resolve("tagged");
        Path archive = dir.resolve("image.tar");
        CliRun v1 = CliRun.of("package", hello.toString(), "--oci-archive", archive.toString(), "--oci-layout",
                tagged.toString(), "--tag", "v1");
        assertThat(v1.exitCode()).as(v1.all()).isZero();
        assertThat(v1.result().image()).isEqualTo("oci:" + tagged + ":v1");
        assertThat(skopeoDigest("oci:" + tagged + ":v1")).isEqualTo(v1.result().digest());
        assertThat(skopeoDigest("oci-archive:" + archive + ":v1")).isEqualTo(v1.result().digest());

        CliRun archiveOnly = CliRun.of("package", hello.toString(), "--oci-archive", archive.toString());
        assertThat(archiveOnly.result().image()).isEqualTo("oci-archive:" + archive + ":latest");

        CliRun badTag = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString(), "--tag", "-x");
        assertThat(badTag.exitCode()).isEqualTo(2);
        assertThat(badTag.result().message()).startsWith("--tag must be a tag");
        CliRun both = CliRun.of("package", hello.toString(), "--oci-layout", layout.toString(), "--tag", "v1",
                "--image", "127.0.0.1:1/x:v2");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.result().message()).contains("with --image the layout takes its tag (v2)");
    }

    private static String skopeoDigest(String reference) throws Exception {
        Processes.Result inspect = Processes.run(Duration.ofSeconds(60), List.of("skopeo", "inspect", reference))
                .requireSuccess("skopeo inspect " + reference);
        return new ObjectMapper().readTree(inspect.stdout()).get("Digest").asText();
    }

    @Test
    void aUserNameNeedsAnEntryInTheImagesPasswd(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc");
        Path hello = Compilers.muslGcc(dir, "hello", HELLO, "-static");
        String layout = dir.resolve("layout").toString();
        for (String user : List.of("bob", "bob:1000", "1000:staff")) {
            CliRun named = CliRun.of("package", hello.toString(), "--oci-layout", layout, "--user", user, "--passwd");
            assertThat(named.exitCode()).as(named.all()).isEqualTo(2);
            assertThat(named.result().message()).startsWith("--user " + user + ": ")
                    .contains("needs an entry in the image's /etc/passwd").contains("runAsNonRoot")
                    .contains("UID[:GID]");
        }
        CliRun rootWithoutPasswd = CliRun.of("package", hello.toString(), "--oci-layout", layout, "--user", "root");
        assertThat(rootWithoutPasswd.exitCode()).isEqualTo(2);
        CliRun rootWithPasswd = CliRun.of("package", hello.toString(), "--oci-layout", layout, "--user", "root",
                "--passwd");
        assertThat(rootWithPasswd.exitCode()).as(rootWithPasswd.all()).isZero();
        CliRun numeric = CliRun.of("package", hello.toString(), "--oci-layout", layout, "--user", "1000:1000");
        assertThat(numeric.exitCode()).as(numeric.all()).isZero();
        CliRun inDocument = CliRun.of("package", hello.toString(), "--oci-layout", layout, "--image-config",
                "{\"user\":\"bob\"}");
        assertThat(inDocument.exitCode()).isEqualTo(2);
        assertThat(inDocument.result().message()).startsWith("--user bob: ");
    }

    @Test
    void unknownImageConfigKeysAreNamedWithTheAllowedOnes(@TempDir Path dir) {
        String layout = dir.resolve("layout").toString();
        CliRun top = CliRun.of("package", "x", "--oci-layout", layout, "--image-config", "{\"entrypoint\":[\"x\"]}");
        assertThat(top.exitCode()).isEqualTo(2);
        assertThat(top.result().message()).isEqualTo("--image-config has an unknown key \"entrypoint\"; allowed:"
                + " annotations, args, env, extras, labels, path, ports, user, workingDir");
        CliRun nested = CliRun.of("package", "x", "--oci-layout", layout, "--image-config",
                "{\"extras\":{\"shell\":true,\"passwd\":true,\"tmp\":false,\"caCertificates\":false,"
                        + "\"timezoneData\":false}}");
        assertThat(nested.result().message()).isEqualTo("--image-config has an unknown key \"shell\" in extras;"
                + " allowed: caCertificates, passwd, timezoneData, tmp");
        assertThat(top.all() + nested.all()).doesNotContain("dev.minimalimage");
    }

    @Test
    void aPlainHttpRegistryWithoutInsecureIsToldToUseInsecure(@TempDir Path dir) throws Exception {
        Processes.requireOnPath("musl-gcc", "docker-registry");
        Path hello = Compilers.muslGcc(dir, "hello", HELLO, "-static");
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
            long started = System.nanoTime();
            CliRun run = CliRun.of("package", hello.toString(), "--image", registry.host() + "/hello:1");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(5);
            assertThat(run.result().reason()).isEqualTo("RegistryUnavailable");
            assertThat(run.result().message()).contains("plain HTTP").contains("--insecure")
                    .doesNotContain("--ca-bundle").contains("not retried");
            assertThat(took).as("not retried for the 2 minute budget").isLessThan(Duration.ofSeconds(60));
        }
    }
}
