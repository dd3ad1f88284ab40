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
import org.eclipse.jgit.util.FS;

import dev.minimalimage.git.GitTransport;
import dev.minimalimage.git.UrlMasking;
import dev.minimalimage.result.FetchedDockerfile;
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

    @Option(names = "--credentials-dir", description = { "a mounted Secret: 'username' + 'password' for https,",
            "or 'ssh-privatekey' + 'known_hosts' for ssh" })
    Path credentialsDir;

    @Option(names = "--ca-bundle", paramLabel = "FILE", description = { "PEM file with one or more CA certificates to",
            "trust for an https URL, in addition to the JDK's default ones" })
    Path caBundle;

    @Option(names = "--result-file", description = "write {\"commit\": ...} here (e.g. /dev/termination-log)")
    Path resultFile;

    @Option(names = "--source-info", paramLabel = "FILE",
            description = "write {\"url\": (without credentials), \"commit\", \"commitTime\": (epoch seconds)} here for `package`")
    Path sourceInfo;

    @Option(names = "--source-date-epoch-file", paramLabel = "FILE",
            description = "write the commit's committer time here (epoch seconds and a newline: SOURCE_DATE_EPOCH)")
    Path sourceDateEpochFile;

    @Option(names = "--report-dockerfile", paramLabel = "PATH", description = { "also report this Dockerfile",
            "(relative to --dest) in the result, for the operator to plan a Dockerfile build from" })
    String reportDockerfile;

    @Option(names = "--exit-code-file", paramLabel = "FILE", description = { "write this step's exit code here when",
            "it ends, whatever the outcome (one line, by a rename): builder pods' compile step waits for it" })
    Path exitCodeFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        return ExitCodes.writtenTo(exitCodeFile, FETCH_FAILED, this::fetch); // the compile step beside waits for it
    }

    private int fetch() throws IOException {
        TrustedCertificates.install(caBundle); // before JGit opens a connection
        // JGit measures a file store's timestamp resolution the first time it checks a file there, and waits for it:
        // seconds on a builder pod's fresh emptyDir (4.5 s of a 6 s fetch on the real cluster), to save the result in
        // a user config the step throws away. In the background it uses its conservative fallback meanwhile (a 2 s
        // resolution: a file changed within it counts as racily clean and is compared by content), which is what
        // one clone and one checkout into an empty directory need.
        FS.FileStoreAttributes.setBackground(true);
        try (GitTransport transport = GitTransport.open(GitCredentials.read(credentialsDir)); // deletes the key copy
                Git git = transport.configure(Git.cloneRepository().setURI(url).setDirectory(dest.toFile())
                        .setCloneAllBranches(true)).call()) {
            Repository repository = git.getRepository();
            ObjectId commit = resolve(repository);
            git.checkout().setName(commit.name()).call(); // detached HEAD at the resolved commit
            report(commit, repository.parseCommit(commit).getCommitTime());
            return ExitCodes.OK;
        } catch (DockerfileReportException e) {
            return failed(e.getMessage());
        } catch (GitAPIException | org.eclipse.jgit.errors.RevisionSyntaxException e) {
            return failed("fetching " + SourceInfo.withoutCredentials(url) + (revision == null ? "" : " at " + revision)
                    + " failed: " + UrlMasking.mask(e.getMessage()));
        } catch (org.eclipse.jgit.api.errors.JGitInternalException e) { // its own message says nothing: the cause's does
            String why = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            return failed("fetching " + SourceInfo.withoutCredentials(url) + " failed: " + UrlMasking.mask(why)
                    + " (use an https:// or ssh:// URL)");
        }
    }

    /**
     * The error on stderr and, as the whole result, in --result-file: a builder pod's termination message is then the
     * error alone, not the tail of a log that starts with the JVM's and sshd's own lines.
     */
    private int failed(String message) throws IOException {
        spec.commandLine().getErr().println("error: " + message);
        if (resultFile != null) {
            Files.writeString(resultFile, "error: " + message, StandardCharsets.UTF_8);
        }
        return FETCH_FAILED;
    }

    /** The commit for the status (stdout, --result-file) and where the source came from for the later steps. */
    private void report(ObjectId commit, long commitTime) throws IOException {
        String json = "{\"commit\":\"" + commit.name() + "\"" + dockerfileField() + "}";
        if (resultFile != null) {
            Files.writeString(resultFile, json, StandardCharsets.UTF_8);
        }
        if (sourceInfo != null) {
            new SourceInfo(SourceInfo.withoutCredentials(url), commit.name(), commitTime).write(sourceInfo);
        }
        if (sourceDateEpochFile != null) {
            Files.writeString(sourceDateEpochFile, commitTime + "\n", StandardCharsets.US_ASCII);
        }
        spec.commandLine().getOut().println(json);
    }

    /**
     * --report-dockerfile: the file, inside the checkout (a link out of it is refused), encoded as
     * {@link FetchedDockerfile} writes it; empty without the option.
     */
    private String dockerfileField() throws IOException {
        if (reportDockerfile == null) {
            return "";
        }
        Path checkout = dest.toRealPath();
        Path file = checkout.resolve(reportDockerfile).normalize();
        if (!Files.isRegularFile(file) || !file.toRealPath().startsWith(checkout)) {
            throw new DockerfileReportException(reportDockerfile + ": no such file in the checkout (spec.dockerfile"
                    + ".path is relative to spec.source.git.contextDir)");
        }
        String encoded = FetchedDockerfile.encode(Files.readString(file, StandardCharsets.UTF_8));
        if (encoded.length() > FetchedDockerfile.MAX_ENCODED) {
            throw new DockerfileReportException(reportDockerfile + " is too large for the operator to plan from: "
                    + encoded.length() + " bytes gzip'd in base64, at most " + FetchedDockerfile.MAX_ENCODED);
        }
        return ",\"dockerfile\":\"" + encoded + "\"";
    }

    /** The Dockerfile to report is missing or too large: the fetch fails, saying which. */
    static final class DockerfileReportException extends IOException {
        DockerfileReportException(String message) {
            super(message);
        }
    }

    /** A commit id the clone lacks is "not found" like a missing branch, not JGit's "Missing unknown <id>". */
    private static ObjectId resolveOrNull(Repository repository, String candidate) throws IOException {
        try {
            return repository.resolve(candidate);
        } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            return null;
        }
    }

    private ObjectId resolve(Repository repository) throws IOException {
        String[] candidates = revision == null ? new String[] { "HEAD" }
                : new String[] { "refs/remotes/origin/" + revision, "refs/tags/" + revision + "^{commit}",
                        revision + "^{commit}" };
        for (String candidate : candidates) {
            ObjectId id = resolveOrNull(repository, candidate);
            if (id != null) {
                return id;
            }
        }
        throw new org.eclipse.jgit.errors.RevisionSyntaxException("no branch, tag or commit named " + revision, revision);
    }
}
