package dev.minimalimage.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's root file system on this host: image paths resolved the way the kernel resolves them inside a chroot
 * (absolute link targets restart at the root, ".." never leaves it), so that a link in an unpacked image can never
 * make a COPY read or write outside the root.
 */
public final class RootedFs {

    private static final int MAX_LINKS = 40; // the kernel's ELOOP limit

    private final Path root;

    public RootedFs(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * The host path of {@code imagePath} with every link resolved inside the root, the last component's too when
     * {@code followLast}; components that do not exist yet are kept as they are (so the result can be created).
     */
    public Path resolve(String imagePath, boolean followLast) throws IOException {
        List<String> done = new ArrayList<>();
        List<String> todo = new ArrayList<>(List.of(imagePath.split("/")));
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
            Path host = host(done).resolve(name);
            boolean last = todo.stream().allMatch(n -> n.isEmpty() || n.equals("."));
            if (Files.isSymbolicLink(host) && (followLast || !last)) {
                if (++hops > MAX_LINKS) {
                    throw new IOException(imagePath + ": too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(host).toString();
                if (target.startsWith("/")) {
                    done.clear();
                }
                todo.addAll(0, List.of(target.split("/")));
            } else {
                done.add(name);
            }
        }
        return host(done);
    }

    /** The image path of a host path under the root ("/" for the root itself). */
    public String imagePath(Path host) {
        String relative = root.relativize(host).toString();
        return relative.isEmpty() ? "/" : "/" + relative;
    }

    /** Creates the directory {@code imagePath} and its parents inside the root (mode 0755), links resolved inside. */
    public Path createDirectories(String imagePath) throws IOException {
        Path current = root;
        String walked = "";
        for (String name : imagePath.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            walked = walked + "/" + name;
            current = resolve(walked, true);
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
                Files.setAttribute(current, "unix:mode", 0755);
            } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(walked + " exists and is not a directory");
            }
            walked = imagePath(current);
        }
        return current;
    }

    private Path host(List<String> components) {
        Path path = root;
        for (String component : components) {
            path = path.resolve(component);
        }
        return path;
    }
}
