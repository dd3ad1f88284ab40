package dev.minimalimage.git;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;

/**
 * Resolves a revision of a git remote to a commit the way {@code git ls-remote} does: one round trip that lists the
 * remote's refs, never a clone. A branch wins over a tag of the same name (as for the fetch step and
 * {@code git clone --branch}); an annotated tag resolves to the commit it points to; an empty revision is the remote's
 * HEAD; a full 40-hex SHA is itself, without network. Plain Java, thread-safe, no state between calls.
 */
public final class RemoteHeads {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    /** How many branch names a "no such ref" message lists. */
    static final int LISTED_BRANCHES = 5;

    /** "scheme://...: " at the start of a message: JGit names the URL, which the message already did */
    private static final Pattern URL_PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://\\S*?: ");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");

    private final Duration timeout;

    public RemoteHeads() {
        this(DEFAULT_TIMEOUT);
    }

    /** @param timeout connect and read timeout of the remote (rounded up to whole seconds, at least 1) */
    public RemoteHeads(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * @param url      https://host/path, ssh://user@host[:port]/path, user@host:path, file:// or a local path
     * @param revision a branch, a tag, a full ref (refs/heads/x), HEAD, a 40-hex SHA, or null/blank for HEAD
     * @param auth     credentials, {@link GitAuth#none()} (or null) for anonymous access
     * @throws GitRemoteException with a {@link GitRemoteException.Reason} and a message without credentials
     */
    public RemoteRevision resolve(String url, String revision, GitAuth auth) throws GitRemoteException {
        String rev = revision == null ? "" : revision.strip();
        if (SHA.matcher(rev).matches()) {
            return new RemoteRevision(rev.toLowerCase(Locale.ROOT), null);
        }
        Map<String, Ref> refs = list(url, auth);
        for (String name : candidates(rev)) {
            Ref ref = refs.get(name);
            if (ref != null && ref.getObjectId() != null) {
                ObjectId peeled = ref.getPeeledObjectId();
                return new RemoteRevision((peeled != null ? peeled : ref.getObjectId()).name(), name);
            }
        }
        throw new GitRemoteException(GitRemoteException.Reason.NO_SUCH_REF, UrlMasking.mask(url),
                "git ls-remote " + UrlMasking.mask(url) + ": " + noSuchRef(rev, refs));
    }

    /** All refs of the remote by name (HEAD, refs/heads/..., refs/tags/...), annotated tags with their peeled id. */
    public Map<String, Ref> list(String url, GitAuth auth) throws GitRemoteException {
        String masked = UrlMasking.mask(url);
        try (GitTransport transport = GitTransport.open(auth == null ? GitAuth.none() : auth)) {
            LsRemoteCommand command = Git.lsRemoteRepository().setRemote(url).setHeads(false).setTags(false)
                    .setTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
            return transport.configure(command).callAsMap();
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw failure(masked, e);
        }
    }

    private static List<String> candidates(String rev) {
        if (rev.isEmpty() || rev.equals(Constants.HEAD)) {
            return List.of(Constants.HEAD);
        }
        if (rev.startsWith(Constants.R_REFS)) {
            return List.of(rev);
        }
        return List.of(Constants.R_HEADS + rev, Constants.R_TAGS + rev);
    }

    private static String noSuchRef(String rev, Map<String, Ref> refs) {
        List<String> branches = refs.keySet().stream().filter(n -> n.startsWith(Constants.R_HEADS))
                .map(n -> n.substring(Constants.R_HEADS.length())).sorted().toList();
        String what = rev.isEmpty() || rev.equals(Constants.HEAD) ? "the remote has no HEAD"
                : "no branch or tag \"" + rev + "\"";
        if (branches.isEmpty()) {
            return what + " (the repository has no branches)";
        }
        String listed = branches.stream().limit(LISTED_BRANCHES).collect(Collectors.joining(", "));
        int more = branches.size() - LISTED_BRANCHES;
        return what + " (branches: " + listed + (more > 0 ? " and " + more + " more" : "") + ")";
    }

    /** Classifies JGit's exception by its cause chain; the message keeps JGit's words, masked. */
    static GitRemoteException failure(String maskedUrl, Exception e) {
        GitRemoteException.Reason reason = GitRemoteException.Reason.FAILED;
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            String shown = URL_PREFIX.matcher(UrlMasking.mask(message)).replaceFirst(""); // JGit starts with the URL
            if (causes.indexOf(shown) < 0) {
                causes.append(causes.length() == 0 ? "" : ": ").append(shown);
            }
            if (reason == GitRemoteException.Reason.FAILED) {
                reason = classify(t, message.toLowerCase(Locale.ROOT));
            }
        }
        String what = switch (reason) {
            case AUTH_FAILED -> "authentication failed";
            case HOST_KEY_REJECTED -> "the server's host key is not in known_hosts";
            case UNREACHABLE -> "unreachable";
            case NOT_A_REPOSITORY -> "no repository there";
            case NO_SUCH_REF, FAILED -> "failed";
        };
        return new GitRemoteException(reason, maskedUrl,
                "git ls-remote " + maskedUrl + ": " + what + " (" + causes + ")");
    }

    private static GitRemoteException.Reason classify(Throwable t, String message) {
        if (t instanceof UnknownHostException || t instanceof ConnectException || t instanceof NoRouteToHostException
                || t instanceof SocketTimeoutException || message.contains("connection refused")
                || message.contains("timed out") || message.contains("timeout") || message.contains("unknownhost")) {
            return GitRemoteException.Reason.UNREACHABLE;
        }
        if (message.contains("host key") || message.contains("server key") || message.contains("known_hosts")
                || message.contains("known hosts")) {
            return GitRemoteException.Reason.HOST_KEY_REJECTED;
        }
        if (message.contains("not authorized") || message.contains("authentication")
                || message.contains("no more authentication methods") || message.contains("auth fail")
                || message.contains("permission denied") || message.contains("cannot log in")
                || message.contains("credentialsprovider")) {
            return GitRemoteException.Reason.AUTH_FAILED;
        }
        if (t instanceof NoRemoteRepositoryException || t instanceof InvalidRemoteException
                || message.contains("not found") || message.contains("repository not found")) {
            return GitRemoteException.Reason.NOT_A_REPOSITORY;
        }
        return GitRemoteException.Reason.FAILED;
    }
}
