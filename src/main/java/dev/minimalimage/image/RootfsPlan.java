package dev.minimalimage.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.minimalimage.image.closure.Bundle;
import dev.minimalimage.image.closure.Closure;

/**
 * The file tree of a layer: the binary, the requested extras and every parent directory (or a whole directory tree),
 * sorted by path so the tar (and so the digest) is the same however the inputs were listed.
 */
public final class RootfsPlan {

    static final String CA_BUNDLE_PATH = "/etc/ssl/certs/ca-certificates.crt";
    static final String ZONEINFO_PATH = "/usr/share/zoneinfo";

    private final SortedMap<String, LayerEntry> entries = new TreeMap<>();

    private RootfsPlan() {
    }

    public static final String NSSWITCH_CONF = "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
            + "networks: files\nprotocols: files\nservices: files\n";
    public static final String HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";

    static List<LayerEntry> of(Path binary, ImageConfig config, Bundle bundle) throws IOException {
        RootfsPlan plan = new RootfsPlan();
        if (bundle != null) {
            plan.addBundle(bundle, config.user());
        }
        plan.add(LayerEntry.file(config.binaryPath(), 0755, binary));
        ImageConfig.Extras extras = config.extras();
        if (extras.caCertificates() != null) {
            plan.add(LayerEntry.file(CA_BUNDLE_PATH, 0644, requireFile(extras.caCertificates(), "CA certificate bundle")));
        }
        if (extras.passwd()) {
            plan.addUserDatabase(config.user());
        }
        if (extras.tmp()) {
            plan.add(LayerEntry.directory(ImageConfig.Extras.TMP_PATH, 01777));
        }
        if (extras.timezoneData() != null) {
            plan.addTree(requireDirectory(extras.timezoneData(), "timezone data"), ZONEINFO_PATH, false);
        }
        return List.copyOf(plan.entries.values());
    }

    /**
     * A directory tree as the root of a layer: DIR/usr/lib/x becomes /usr/lib/x; files 0755 when the source is
     * executable, else 0644; directories 0755; symbolic links kept as links.
     */
    static List<LayerEntry> ofTree(Path root) throws IOException {
        RootfsPlan plan = new RootfsPlan();
        plan.addTree(requireDirectory(root, "layer"), "", true);
        return List.copyOf(plan.entries.values());
    }

    /** A root file system as it is: every file, directory and link with its own mode bits (07777). */
    static List<LayerEntry> ofRootfs(Path root) throws IOException {
        RootfsPlan plan = new RootfsPlan();
        try (Stream<Path> walk = Files.walk(requireDirectory(root, "root file system"))) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String target = "/" + root.relativize(p).toString();
                int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
                if (Files.isSymbolicLink(p)) {
                    plan.entries.put(target, LayerEntry.symlink(target, Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p)) {
                    plan.entries.put(target, LayerEntry.directory(target, mode));
                } else if (Files.isRegularFile(p)) {
                    plan.entries.put(target, LayerEntry.file(target, mode, p));
                }
            }
        }
        return List.copyOf(plan.entries.values());
    }

    /** A busybox at {@code busyboxPath} and, next to it, a relative symlink per applet name (busybox reads argv[0]). */
    static List<LayerEntry> ofBusybox(Path busybox, String busyboxPath, List<String> applets) {
        RootfsPlan plan = new RootfsPlan();
        plan.add(LayerEntry.file(busyboxPath, 0755, requireFile(busybox, "busybox")));
        String dir = busyboxPath.substring(0, busyboxPath.lastIndexOf('/') + 1);
        String name = busyboxPath.substring(dir.length());
        for (String applet : applets) {
            plan.add(LayerEntry.symlink(dir + applet, name));
        }
        return List.copyOf(plan.entries.values());
    }

    /** Libraries and links at their paths (files 0755 if executable, else 0644), then the name-service files. */
    private void addBundle(Bundle bundle, String user) throws IOException {
        for (Closure.Entry entry : bundle.files().values()) {
            if (entry.isSymlink()) {
                add(LayerEntry.symlink(entry.path(), entry.linkTarget()));
            } else {
                add(LayerEntry.file(entry.path(), Files.isExecutable(entry.source()) ? 0755 : 0644, entry.source()));
            }
        }
        if (bundle.nameServices()) {
            add(LayerEntry.file("/etc/nsswitch.conf", 0644, NSSWITCH_CONF.getBytes(StandardCharsets.UTF_8)));
            add(LayerEntry.file("/etc/hosts", 0644, HOSTS.getBytes(StandardCharsets.UTF_8)));
            addUserDatabase(user);
        }
    }

    private void add(LayerEntry entry) {
        addParents(entry.path());
        entries.put(entry.path(), entry);
    }

    private void addParents(String path) {
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String parent = path.substring(0, slash);
            entries.putIfAbsent(parent, LayerEntry.directory(parent, 0755));
        }
    }

    /** /etc/passwd and /etc/group naming root and the image's (numeric) user, so getpwuid() and `id` work. */
    private void addUserDatabase(String user) {
        String uid = user.split(":", 2)[0];
        String gid = user.contains(":") ? user.split(":", 2)[1] : uid;
        StringBuilder passwd = new StringBuilder("root:x:0:0:root:/root:/sbin/nologin\n");
        StringBuilder group = new StringBuilder("root:x:0:\n");
        if (uid.matches("[0-9]+") && !uid.equals("0")) {
            passwd.append("nonroot:x:").append(uid).append(':').append(gid.matches("[0-9]+") ? gid : uid)
                    .append(":nonroot:/home/nonroot:/sbin/nologin\n");
        }
        if (gid.matches("[0-9]+") && !gid.equals("0")) {
            group.append("nonroot:x:").append(gid).append(":\n");
        }
        add(LayerEntry.file("/etc/passwd", 0644, passwd.toString().getBytes(StandardCharsets.UTF_8)));
        add(LayerEntry.file("/etc/group", 0644, group.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private void addTree(Path root, String imagePath, boolean keepExecBit) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String target = root.equals(p) ? imagePath : imagePath + "/" + root.relativize(p).toString().replace('\\', '/');
                if (target.isEmpty()) {
                    continue; // the layer's root directory itself
                }
                if (Files.isSymbolicLink(p)) {
                    add(LayerEntry.symlink(target, Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p)) {
                    add(LayerEntry.directory(target, 0755));
                } else if (Files.isRegularFile(p)) {
                    add(LayerEntry.file(target, keepExecBit && Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644, p));
                }
            }
        }
    }

    private static Path requireFile(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(what + " is not a readable file: " + path);
        }
        return path;
    }

    private static Path requireDirectory(Path path, String what) {
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException(what + " is not a directory: " + path);
        }
        return path;
    }
}
