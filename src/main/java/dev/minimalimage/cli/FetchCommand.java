package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Clones a git repository at a branch, tag or commit (JGit, no git binary needed) and reports the commit.")
final class FetchCommand implements Callable<Integer> {

    static final int FETCH_FAILED = 7;

    @Option(names = "--url", required = true, description = "repository URL")
    String url;

    @Option(names = "--revision", description = "branch, tag or commit (default: the remote's HEAD)")
    String revision;

    @Option(names = "--dest", required = true, description = "directory to check out into")
    Path dest;

    @Option(names = "--credentials-dir", description = "directory with files 'username' and 'password' (a mounted basic-auth Secret)")
    Path credentialsDir;

    @Option(names = "--result-file", description = "write {\"commit\": ...} here (e.g. /dev/termination-log)")
    Path resultFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (Git git = Git.cloneRepository().setURI(url).setDirectory(dest.toFile())
                .setCloneAllBranches(true).setCredentialsProvider(credentials()).call()) {
            Repository repository = git.getRepository();
            ObjectId commit = resolve(repository);
            git.checkout().setName(commit.name()).call(); // detached HEAD at the resolved commit
            String json = "{\"commit\":\"" + commit.name() + "\"}";
            if (resultFile != null) {
                Files.writeString(resultFile, json, StandardCharsets.UTF_8);
            }
            spec.commandLine().getOut().println(json);
            return ExitCodes.OK;
        } catch (GitAPIException | org.eclipse.jgit.errors.RevisionSyntaxException e) {
            spec.commandLine().getErr().println("error: fetching " + url + (revision == null ? "" : " at " + revision)
                    + " failed: " + e.getMessage());
            return FETCH_FAILED;
        }
    }

    private ObjectId resolve(Repository repository) throws IOException {
        String[] candidates = revision == null ? new String[] { "HEAD" }
                : new String[] { "refs/remotes/origin/" + revision, "refs/tags/" + revision + "^{commit}",
                        revision + "^{commit}" };
        for (String candidate : candidates) {
            ObjectId id = repository.resolve(candidate);
            if (id != null) {
                return id;
            }
        }
        throw new org.eclipse.jgit.errors.RevisionSyntaxException("no branch, tag or commit named " + revision, revision);
    }

    private CredentialsProvider credentials() throws IOException {
        if (credentialsDir == null || !Files.isRegularFile(credentialsDir.resolve("password"))) {
            return null;
        }
        String user = Files.isRegularFile(credentialsDir.resolve("username"))
                ? Files.readString(credentialsDir.resolve("username")).strip() : "git";
        return new UsernamePasswordCredentialsProvider(user, Files.readString(credentialsDir.resolve("password")).strip());
    }
}
