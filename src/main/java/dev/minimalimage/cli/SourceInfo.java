package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.image.Provenance;

/**
 * What `fetch` hands to `package` through the builder pod's shared workspace: where the source came from.
 *
 * @param url        the repository URL without user info (it may hold a password, and ends up in the image)
 * @param commit     the commit checked out
 * @param commitTime its committer time, seconds since the epoch
 */
record SourceInfo(String url, String commit, long commitTime) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** scheme://[userinfo@]rest[?query][#fragment] */
    private static final Pattern URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^/?#]*)@)?([^?#]*)");

    static SourceInfo read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readString(file), SourceInfo.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not a source info file: " + e.getOriginalMessage());
        }
    }

    void write(Path file) throws IOException {
        Files.write(file, JSON.writeValueAsBytes(this));
    }

    Provenance provenance() {
        return Provenance.ofCommit(url, commit, commitTime);
    }

    /**
     * The URL as a user could clone it again, without what may be a secret: https://user:token@host/x?private_token=t
     * becomes https://host/x; an ssh user name stays (it says how to log in; ssh://git:pw@host/x becomes
     * ssh://git@host/x); query and fragment go. scp-like git@host:x has no place for a password and stays.
     */
    static String withoutCredentials(String url) {
        Matcher m = URL.matcher(url);
        if (!m.find()) {
            return url;
        }
        String scheme = m.group(1);
        String user = m.group(2) == null ? "" : m.group(2).split(":", 2)[0];
        boolean ssh = scheme.equalsIgnoreCase("ssh") || scheme.toLowerCase(java.util.Locale.ROOT).endsWith("+ssh");
        return scheme + "://" + (ssh && !user.isEmpty() ? user + "@" : "") + m.group(3);
    }
}
