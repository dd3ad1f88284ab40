package dev.minimalimage.image.closure;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What `package --bundle` adds next to a dynamic program so it starts from an otherwise empty root: its loader and
 * libraries at the paths the loader opens them by (links kept as links), and whether it needs the name-service files.
 *
 * @param files        image path (absolute) to a file copied from the root or a symbolic link, sorted
 * @param nameServices glibc program that looks up hosts, users or groups: the image needs /etc/nsswitch.conf,
 *                     /etc/hosts, /etc/passwd and /etc/group
 * @param glibcVersion "2.36" for a glibc program whose libc.so.6 tells its release, else null
 * @param bytes        total size of the bundled regular files
 * @param libraryPath  directories the image's loader must be told of (see {@link Closure#configuredDirectories()})
 */
public record Bundle(SortedMap<String, Closure.Entry> files, boolean nameServices, String glibcVersion, long bytes,
        List<String> libraryPath) {

    private static final String LIBRARY_PATH_VARIABLE = "LD_LIBRARY_PATH";

    /** What {@code nameServices} adds: hosts from files then DNS, users and groups from files (root and the image's user). */
    public static final List<String> NAME_SERVICE_FILES = List.of("/etc/group", "/etc/hosts", "/etc/nsswitch.conf",
            "/etc/passwd");

    public Bundle {
        files = new TreeMap<>(files);
        libraryPath = List.copyOf(libraryPath);
    }

    /**
     * The image's environment: {@code env} with {@link #libraryPath} in LD_LIBRARY_PATH, after any directories the
     * user put there (their choice comes first; the bundle's directories only have to be searched at all).
     */
    public List<String> environment(List<String> env) {
        if (libraryPath.isEmpty()) {
            return env;
        }
        String prefix = LIBRARY_PATH_VARIABLE + "=";
        String ours = String.join(":", libraryPath);
        List<String> result = new ArrayList<>();
        boolean merged = false;
        for (String entry : env) {
            if (entry.startsWith(prefix) && !merged) {
                String theirs = entry.substring(prefix.length());
                result.add(prefix + (theirs.isEmpty() ? ours : theirs + ":" + ours));
                merged = true;
            } else {
                result.add(entry);
            }
        }
        if (!merged) {
            result.add(prefix + ours);
        }
        return List.copyOf(result);
    }
}
