package dev.minimalimage.image.closure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves absolute paths inside a system root the way the kernel would inside a chroot: every component is checked
 * for a symbolic link, absolute targets restart at the root, ".." never leaves it. Each link met on the way is
 * recorded at its real location, so an image can carry the same chain (e.g. /lib64 -> usr/lib64,
 * /usr/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2, /lib -> usr/lib).
 */
final class RootedPaths {

    private static final int MAX_LINKS = 40; // as the kernel's ELOOP limit

    /** A link met while resolving: at real path {@code path}, pointing to {@code target} (as stored). */
    record Link(String path, String target) {
    }

    /** The real path (absolute, inside the root) and the links met on the way. */
    record Resolved(String realPath, List<Link> links) {
    }

    private final Path root;

    RootedPaths(Path root) {
        this.root = root;
    }

    Path host(String absolute) {
        return absolute.equals("/") ? root : root.resolve(absolute.substring(1));
    }

    /** Resolves {@code absolute}; null when some component does not exist or links loop. */
    Resolved resolve(String absolute) throws IOException {
        List<Link> links = new ArrayList<>();
        List<String> done = new ArrayList<>();
        List<String> todo = new ArrayList<>(components(absolute));
        int hops = 0;
        while (!todo.isEmpty()) {
            String name = todo.remove(0);
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            String path = join(done) + "/" + name;
            Path host = host(path);
            if (Files.isSymbolicLink(host)) {
                if (++hops > MAX_LINKS) {
                    return null;
                }
                String target = Files.readSymbolicLink(host).toString();
                links.add(new Link(path, target));
                if (target.startsWith("/")) {
                    done.clear();
                }
                todo.addAll(0, components(target));
            } else if (Files.exists(host)) {
                done.add(name);
            } else {
                return null;
            }
        }
        return new Resolved(done.isEmpty() ? "/" : join(done), links);
    }

    private static List<String> components(String path) {
        return List.of(path.split("/"));
    }

    private static String join(List<String> components) {
        return components.isEmpty() ? "" : "/" + String.join("/", components);
    }
}
