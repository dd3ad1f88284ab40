package dev.minimalimage.sbom;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where the image's program came from: a git repository (URL already without credentials, and the commit) or
 * inline files (path to sha256). {@link #UNKNOWN} when the caller only has a binary (`inspect --sbom`).
 */
public record SbomSource(String gitUrl, String commit, Map<String, String> inlineFileSha256) {

    public static final SbomSource UNKNOWN = new SbomSource(null, null, Map.of());

    public SbomSource {
        inlineFileSha256 = Map.copyOf(new TreeMap<>(inlineFileSha256));
    }

    public static SbomSource git(String urlWithoutCredentials, String commit) {
        return new SbomSource(urlWithoutCredentials, commit, Map.of());
    }

    public static SbomSource inline(Map<String, String> pathToSha256) {
        return new SbomSource(null, null, pathToSha256);
    }
}
