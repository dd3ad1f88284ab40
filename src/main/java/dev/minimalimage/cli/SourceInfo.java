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
    /** scheme://user:password@host...: everything up to the last '@' before the path. */
    private static final Pattern URL_USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/]*@");
    /** scp-like user@host:path. */
    private static final Pattern SCP_USER = Pattern.compile("^[^/:@]+@(?=[^/:]+:)");

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

    /** https://user:secret@host/x becomes https://host/x, ssh://git@host/x ssh://host/x, git@host:x host:x. */
    static String withoutUserInfo(String url) {
        Matcher m = URL_USER_INFO.matcher(url);
        return m.find() ? m.group(1) + url.substring(m.end()) : SCP_USER.matcher(url).replaceFirst("");
    }
}
