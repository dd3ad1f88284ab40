package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `fetch` against a real git repository on disk: branch, tag and commit resolve, a missing revision fails clearly. */
class FetchCommandTest {

    @Test
    void checksOutBranchTagOrCommitAndReportsTheCommit(@TempDir Path dir) throws Exception {
        Path origin = dir.resolve("origin");
        RevCommit first;
        RevCommit second;
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.writeString(origin.resolve("main.c"), "int main(void){return 1;}\n");
            git.add().addFilepattern(".").call();
            first = git.commit().setMessage("first").setAuthor("t", "t@example.org").setSign(false)
                    .setCommitter(new PersonIdent("c", "c@example.org", Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC))
                    .call();
            git.tag().setName("v1").setAnnotated(true).setMessage("v1").setSigned(false).call();
            Files.writeString(origin.resolve("main.c"), "int main(void){return 0;}\n");
            git.add().addFilepattern(".").call();
            second = git.commit().setMessage("second").setAuthor("t", "t@example.org").setSign(false).call();
        }
        Path resultFile = dir.resolve("termination-log");
        CliRun head = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("a").toString(),
                "--result-file", resultFile.toString(), "--source-info", dir.resolve("source-info.json").toString(),
                "--source-date-epoch-file", dir.resolve("source-date-epoch").toString());
        assertThat(head.exitCode()).as(head.all()).isZero();
        assertThat(Files.readString(resultFile)).isEqualTo("{\"commit\":\"" + second.name() + "\"}");
        assertThat(SourceInfo.read(dir.resolve("source-info.json")))
                .isEqualTo(new SourceInfo(origin.toUri().toString(), second.name(), second.getCommitTime()));
        assertThat(Files.readString(dir.resolve("source-date-epoch"))).isEqualTo(second.getCommitTime() + "\n");
        assertThat(Files.readString(dir.resolve("a/main.c"))).contains("return 0");

        CliRun tag = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", "v1", "--dest",
                dir.resolve("b").toString(), "--source-info", dir.resolve("b.json").toString());
        assertThat(tag.stdout()).as(tag.all()).contains(first.name());
        // the committer's time, not the author's: a rebase or cherry-pick makes a new build
        assertThat(SourceInfo.read(dir.resolve("b.json")).provenance().created()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(Files.readString(dir.resolve("b/main.c"))).contains("return 1");

        CliRun sha = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", first.name(), "--dest",
                dir.resolve("c").toString());
        assertThat(sha.stdout()).contains(first.name());
        CliRun branch = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", "main", "--dest",
                dir.resolve("d").toString());
        assertThat(branch.stdout()).contains(second.name());

        CliRun missing = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", "nope", "--dest",
                dir.resolve("e").toString(), "--exit-code-file", dir.resolve("e.code").toString(),
                "--result-file", dir.resolve("e.result").toString());
        assertThat(missing.exitCode()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(missing.stderr()).contains("no branch, tag or commit named nope");
        // the pod's termination message is the error alone
        assertThat(Files.readString(dir.resolve("e.result"))).startsWith("error: fetching ")
                .endsWith("at nope failed: no branch, tag or commit named nope");
        CliRun unknownCommit = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision",
                "0123456789abcdef0123456789abcdef01234567", "--dest", dir.resolve("g").toString());
        assertThat(unknownCommit.exitCode()).as(unknownCommit.all()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(unknownCommit.stderr()).contains("no branch, tag or commit named 0123456789abcdef0123456789abcdef01234567");
        CliRun sftp = CliRun.of("fetch", "--url", "sftp://host/x.git", "--dest", dir.resolve("h").toString());
        assertThat(sftp.exitCode()).as(sftp.all()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(sftp.stderr()).contains("URI not supported", "use an https:// or ssh:// URL");
        // the compile step beside it learns of the failure: the code, one whole line, and no partial file left
        assertThat(Files.readString(dir.resolve("e.code"))).isEqualTo(FetchCommand.FETCH_FAILED + "\n");
        CliRun found = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("f").toString(),
                "--exit-code-file", dir.resolve("f.code").toString());
        assertThat(found.exitCode()).as(found.all()).isZero();
        assertThat(Files.readString(dir.resolve("f.code"))).isEqualTo("0\n");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".partial"));
        }
    }

    @Test
    void theUrlLosesItsCredentialsEverywhere(@TempDir Path dir) throws Exception {
        assertThat(SourceInfo.withoutCredentials("https://user:secret@host/x")).isEqualTo("https://host/x");
        assertThat(SourceInfo.withoutCredentials("https://us%40er:p@ss@host:8443/x@y")).isEqualTo("https://host:8443/x@y");
        assertThat(SourceInfo.withoutCredentials("ssh://git@host:2222/x")).isEqualTo("ssh://git@host:2222/x");
        assertThat(SourceInfo.withoutCredentials("ssh://git:secret@host/x")).isEqualTo("ssh://git@host/x");
        assertThat(SourceInfo.withoutCredentials("git@github.com:org/x.git")).isEqualTo("git@github.com:org/x.git");
        assertThat(SourceInfo.withoutCredentials("https://host/x.git?private_token=secret#frag"))
                .isEqualTo("https://host/x.git");
        assertThat(SourceInfo.withoutCredentials("https://host/x")).isEqualTo("https://host/x");

        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CliRun failed = CliRun.of("fetch", "--url", "https://user:secret@127.0.0.1:" + closedPort + "/x", "--dest",
                dir.resolve("x").toString());
        assertThat(failed.exitCode()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(failed.stderr()).contains("https://127.0.0.1:" + closedPort + "/x");
        assertThat(failed.all()).doesNotContain("secret");
    }

    /** --report-dockerfile: the Dockerfile beside the commit, encoded to fit a termination message; refusals named. */
    @Test
    void reportsTheDockerfileForTheOperatorToPlanFrom(@TempDir Path dir) throws Exception {
        Path origin = dir.resolve("origin");
        String dockerfile = "FROM gcc AS build\nCOPY hello.c /\nRUN gcc -static /hello.c -o /hello\nFROM scratch\n"
                + "COPY --from=build /hello /\nENTRYPOINT [\"/hello\"]\n";
        RevCommit commit;
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(origin.resolve("app"));
            Files.writeString(origin.resolve("app/Dockerfile"), dockerfile);
            Files.writeString(origin.resolve("big"), "x".repeat(1 << 20) + new java.util.Random(1).ints(4000)
                    .mapToObj(Integer::toString).reduce("", String::concat));
            Files.createSymbolicLink(origin.resolve("app/outside"), Path.of("/etc/hostname"));
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("d").setAuthor("t", "t@example.org").setSign(false).call();
        }
        Path resultFile = dir.resolve("termination-log");
        CliRun ok = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("a").toString(),
                "--result-file", resultFile.toString(), "--report-dockerfile", "app/Dockerfile");
        assertThat(ok.exitCode()).as(ok.all()).isZero();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(resultFile));
        assertThat(json.get("commit").asText()).isEqualTo(commit.name());
        assertThat(dev.minimalimage.result.FetchedDockerfile.decode(json.get("dockerfile").asText()))
                .isEqualTo(dockerfile);

        CliRun missing = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("b").toString(),
                "--report-dockerfile", "Dockerfile");
        assertThat(missing.exitCode()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(missing.all()).contains("Dockerfile: no such file in the checkout");
        CliRun outside = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("c").toString(),
                "--report-dockerfile", "app/outside");
        assertThat(outside.exitCode()).isEqualTo(FetchCommand.FETCH_FAILED);
        CliRun big = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("d").toString(),
                "--report-dockerfile", "big");
        assertThat(big.exitCode()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(big.all()).contains("too large for the operator to plan from");
    }
}
