package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.api.Git;
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
            first = git.commit().setMessage("first").setAuthor("t", "t@example.org").setSign(false).call();
            git.tag().setName("v1").setAnnotated(true).setMessage("v1").setSigned(false).call();
            Files.writeString(origin.resolve("main.c"), "int main(void){return 0;}\n");
            git.add().addFilepattern(".").call();
            second = git.commit().setMessage("second").setAuthor("t", "t@example.org").setSign(false).call();
        }
        Path resultFile = dir.resolve("termination-log");
        CliRun head = CliRun.of("fetch", "--url", origin.toUri().toString(), "--dest", dir.resolve("a").toString(),
                "--result-file", resultFile.toString());
        assertThat(head.exitCode()).as(head.all()).isZero();
        assertThat(Files.readString(resultFile)).isEqualTo("{\"commit\":\"" + second.name() + "\"}");
        assertThat(Files.readString(dir.resolve("a/main.c"))).contains("return 0");

        CliRun tag = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", "v1", "--dest",
                dir.resolve("b").toString());
        assertThat(tag.stdout()).as(tag.all()).contains(first.name());
        assertThat(Files.readString(dir.resolve("b/main.c"))).contains("return 1");

        CliRun sha = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", first.name(), "--dest",
                dir.resolve("c").toString());
        assertThat(sha.stdout()).contains(first.name());
        CliRun branch = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", "main", "--dest",
                dir.resolve("d").toString());
        assertThat(branch.stdout()).contains(second.name());

        CliRun missing = CliRun.of("fetch", "--url", origin.toUri().toString(), "--revision", "nope", "--dest",
                dir.resolve("e").toString());
        assertThat(missing.exitCode()).isEqualTo(FetchCommand.FETCH_FAILED);
        assertThat(missing.stderr()).contains("no branch, tag or commit named nope");
    }
}
