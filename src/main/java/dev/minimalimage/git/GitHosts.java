package dev.minimalimage.git;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which git hosts a Secret's credentials may be sent to, from its {@value #ANNOTATION} annotation (the Tekton
 * pattern): host names separated by commas and/or white space, each optionally with :port, compared
 * case-insensitively; {@code *.example.com} allows every subdomain (not example.com itself); IPv6 literals in
 * brackets ({@code [fd00::1]:2222}); an entry written as a URL (https://host) counts as its host[:port]. An entry
 * without a port allows the scheme's default port only (https 443, http 80, ssh and scp-like 22, git 9418), as git
 * matches credential URLs. An empty or absent annotation allows no host; a URL without a host (file://, a local
 * path) is never allowed.
 */
public final class GitHosts {

    public static final String ANNOTATION = "build.minimalimage.dev/git-hosts";

    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("https", 443, "http", 80, "ssh", 22,
            "git+ssh", 22, "ssh+git", 22, "git", 9418);
    /** scheme://[userinfo@]host[:port][/...] */
    private static final Pattern URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#]*@)?([^/?#]*)");
    /** scp-like [user@]host:path, the host not containing '/' (else it is a local path with a colon) */
    private static final Pattern SCP = Pattern.compile("^(?:[^@/]+@)?(\\[[^\\]/]+\\]|[^:/\\[\\]]+):(?!//)");
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9A-Fa-f:.%]+\\]|[^:\\[\\]]+)(?::([0-9]{1,5}))?$");

    /** A host (lower case, without trailing dot, IPv6 without brackets, normalised) and a port (-1 for any default). */
    private record Entry(String host, boolean wildcard, int port) {
    }

    /** A URL's host and effective port. */
    public record HostPort(String host, int port) {
    }

    private final List<Entry> entries;

    private GitHosts(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** No host allowed: the annotation is absent. */
    public static GitHosts none() {
        return new GitHosts(List.of());
    }

    /**
     * Parses the annotation's value; null or blank allows nothing.
     *
     * @throws IllegalArgumentException naming an entry that is not a host[:port] (the value holds no secret)
     */
    public static GitHosts parse(String annotationValue) {
        List<Entry> entries = new ArrayList<>();
        if (annotationValue == null) {
            return new GitHosts(entries);
        }
        for (String raw : annotationValue.split("[,\\s]+")) {
            if (raw.isEmpty()) {
                continue;
            }
            Matcher url = URL.matcher(raw);
            String hostPort = url.find() ? url.group(2) : raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
            Matcher m = HOST_PORT.matcher(hostPort);
            if (hostPort.isEmpty() || !m.matches()) {
                throw invalid(raw);
            }
            String host = m.group(1);
            boolean wildcard = host.startsWith("*.");
            String name = normalise(wildcard ? host.substring(2) : host);
            if (name.isEmpty() || name.contains("*") || (m.group(2) != null && !validPort(m.group(2)))) {
                throw invalid(raw);
            }
            entries.add(new Entry(name, wildcard, m.group(2) == null ? -1 : Integer.parseInt(m.group(2))));
        }
        return new GitHosts(entries);
    }

    private static IllegalArgumentException invalid(String entry) {
        return new IllegalArgumentException("annotation " + ANNOTATION + ": \"" + entry
                + "\" is not a host name, host:port or *.domain");
    }

    /** From a Secret's annotations (null allowed): the policy of {@value #ANNOTATION}. */
    public static GitHosts fromAnnotations(Map<String, String> annotations) {
        return parse(annotations == null ? null : annotations.get(ANNOTATION));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether credentials may go to the git URL's host (https://, http://, ssh://, git://, scp-like user@host:path). */
    public boolean allows(String gitUrl) {
        Optional<HostPort> target = hostOf(gitUrl);
        if (target.isEmpty()) {
            return false;
        }
        HostPort hp = target.get();
        Integer defaultPort = defaultPort(gitUrl);
        for (Entry e : entries) {
            boolean hostMatches = e.wildcard() ? hp.host().endsWith("." + e.host()) : hp.host().equals(e.host());
            boolean portMatches = e.port() < 0 ? defaultPort != null && hp.port() == defaultPort : hp.port() == e.port();
            if (hostMatches && portMatches) {
                return true;
            }
        }
        return false;
    }

    /**
     * The host (normalised: lower case, no trailing dot, IPv6 without brackets) and port (the scheme's default when
     * absent, -1 if the scheme has none) of a git URL; empty for file:// URLs, local paths and what is not a URL.
     */
    public static Optional<HostPort> hostOf(String gitUrl) {
        if (gitUrl == null) {
            return Optional.empty();
        }
        String url = gitUrl.strip();
        Matcher m = URL.matcher(url);
        String hostPort;
        if (m.find()) {
            hostPort = m.group(2);
        } else {
            Matcher scp = SCP.matcher(url);
            if (!scp.find()) {
                return Optional.empty();
            }
            hostPort = scp.group(1);
        }
        Matcher hp = HOST_PORT.matcher(hostPort);
        if (hostPort.isEmpty() || !hp.matches() || (hp.group(2) != null && !validPort(hp.group(2)))) {
            return Optional.empty();
        }
        Integer defaultPort = defaultPort(url);
        int port = hp.group(2) != null ? Integer.parseInt(hp.group(2)) : defaultPort == null ? -1 : defaultPort;
        return Optional.of(new HostPort(normalise(hp.group(1)), port));
    }

    /** The default port of the URL's scheme (22 for scp-like), or null (file://, unknown scheme). */
    private static Integer defaultPort(String url) {
        Matcher m = URL.matcher(url.strip());
        return m.find() ? DEFAULT_PORTS.get(m.group(1).toLowerCase(Locale.ROOT)) : Integer.valueOf(22);
    }

    private static boolean validPort(String port) {
        int p = Integer.parseInt(port);
        return p > 0 && p <= 65535;
    }

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            try { // an IPv6 literal: never a DNS look-up; ::1 and 0:0::1 are one host
                return InetAddress.getByName(h).getHostAddress().replaceAll("%.*", "");
            } catch (UnknownHostException e) {
                return h.substring(1, h.length() - 1);
            }
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        return "GitHosts" + entries;
    }
}
