package dev.minimalimage.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.testsupport.Processes;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The examples under examples/ as a user takes them: each folder's minimalimage.yaml with the two variables
 * substituted by {@code envsubst '$REGISTRY $GIT_BASE'} (the command examples/README.md gives), and a git example's
 * project/ folder as its own repository.
 */
final class Examples {

    static final Path ROOT = Path.of("examples");
    static final String MANIFEST = "minimalimage.yaml";
    /** A git example's project, pushed as the repository its manifest's URL names. */
    static final String PROJECT = "project";
    /** The only variables the manifests may use; envsubst is told exactly these, so $OUT in a script stays. */
    static final List<String> VARIABLES = List.of("REGISTRY", "GIT_BASE");
    static final String PUSH_SECRET = "registry-credentials";
    static final String GIT_SECRET = "git-credentials";

    private Examples() {
    }

    /** Every example folder (one holding a minimalimage.yaml), sorted by name. */
    static List<String> folders() throws IOException {
        try (var entries = Files.list(ROOT)) {
            return entries.filter(dir -> Files.isRegularFile(dir.resolve(MANIFEST)))
                    .map(dir -> dir.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * {@code REGISTRY=registry GIT_BASE=gitBase envsubst '$REGISTRY $GIT_BASE' < examples/FOLDER/minimalimage.yaml},
     * failing when a {@code ${} survives (a variable the README does not name, or a typo in one).
     */
    static String substituted(String folder, String registry, String gitBase) {
        String shellFormat = String.join(" ", VARIABLES.stream().map(v -> "$" + v).toList());
        Processes.Result result = Processes.run(Duration.ofSeconds(30),
                List.of("sh", "-c", "envsubst \"$1\" < \"$2\"", "sh", shellFormat,
                        ROOT.resolve(folder).resolve(MANIFEST).toString()),
                Map.of("REGISTRY", registry, "GIT_BASE", gitBase), null)
                .requireSuccess("envsubst of " + folder + " (gettext-base; scripts/setup-deps.sh installs it)");
        if (result.stdout().contains("${")) {
            throw new AssertionError(folder + "/" + MANIFEST + " still holds a ${...} after substituting "
                    + VARIABLES + ":\n" + result.stdout());
        }
        return result.stdout();
    }

    static MinimalImage parse(String manifest) {
        return Serialization.unmarshal(manifest, MinimalImage.class);
    }

    static boolean hasProject(String folder) {
        return Files.isDirectory(ROOT.resolve(folder).resolve(PROJECT));
    }

    /** The repository name a git example's URL gives under GIT_BASE (its path after "GIT_BASE/"). */
    static String repositoryName(MinimalImage example, String gitBase) {
        String url = example.getSpec().getSource().getGit().getUrl();
        String prefix = gitBase + "/";
        if (!url.startsWith(prefix)) {
            throw new AssertionError(example.getMetadata().getName() + ": git URL " + url + " is not under " + prefix);
        }
        return url.substring(prefix.length());
    }

    /** A new repository at {@code dir}, branch main, holding a copy of the folder's project/ as its first commit. */
    static Git seed(String folder, Path dir) throws IOException, GitAPIException {
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        ClusterIT.copyTree(ROOT.resolve(folder).resolve(PROJECT), dir);
        commit(git, "the example as shipped in examples/" + folder);
        return git;
    }

    static RevCommit commit(Git git, String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("examples", "examples@example.org").setSign(false).call();
    }
}
