package dev.minimalimage.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes an image as an OCI image layout (directory or tar), for builds that name no registry. */
public final class OciLayoutWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private OciLayoutWriter() {
    }

    public static void writeDirectory(AssembledImage image, String refName, Path dir) throws IOException {
        writeDirectory(files(image, refName), dir);
    }

    /** A multi-platform image: every platform's blobs and manifest, the index blob, index.json naming the index. */
    public static void writeDirectory(ImageIndex index, String refName, Path dir) throws IOException {
        writeDirectory(files(index, refName), dir);
    }

    public static void writeArchive(ImageIndex index, String refName, Path archive) throws IOException {
        writeArchive(files(index, refName), archive);
    }

    public static void writeArchive(AssembledImage image, String refName, Path archive) throws IOException {
        writeArchive(files(image, refName), archive);
    }

    private static void writeDirectory(Map<String, byte[]> files, Path dir) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
    }

    private static void writeArchive(Map<String, byte[]> files, Path archive) throws IOException {
        if (archive.toAbsolutePath().getParent() != null) {
            Files.createDirectories(archive.toAbsolutePath().getParent());
        }
        try (OutputStream out = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out, TarConstants.DEFAULT_RCDSIZE)) {
            for (String dir : List.of("blobs/", "blobs/sha256/")) {
                tar.putArchiveEntry(header(dir, TarConstants.LF_DIR, 0755, 0));
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                tar.putArchiveEntry(header(file.getKey(), TarConstants.LF_NORMAL, 0644, file.getValue().length));
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /**
     * An OCI 1.1 artifact manifest whose {@code subject} is the layout's image, with the blobs it names (config and
     * layers); listed in index.json by a descriptor carrying its {@code artifactType} and no ref.name, as the
     * image-spec's referrers API lists it, so that tools following referrers in a layout find it.
     */
    public record Referrer(Blob manifest, String artifactType, List<Blob> blobs) {
    }

    /** Adds a referrer to a layout {@link #writeDirectory} wrote: its blobs, then its entry at the end of index.json. */
    public static void addReferrer(Path dir, Referrer referrer) throws IOException {
        for (Blob blob : referrerBlobs(referrer)) {
            Files.write(dir.resolve("blobs/sha256/" + blob.hex()), blob.bytes());
        }
        Path indexFile = dir.resolve("index.json");
        Files.write(indexFile, withReferrer(Files.readAllBytes(indexFile), referrer));
    }

    /**
     * The same for an archive {@link #writeArchive} wrote: rewritten next to itself (blobs first, index.json last,
     * as before) and moved over the original, so a failure leaves the original archive as it was.
     */
    public static void addReferrerToArchive(Path archive, Referrer referrer) throws IOException {
        Path rewritten = archive.resolveSibling(archive.getFileName() + ".referrer.tmp");
        try (InputStream in = Files.newInputStream(archive);
                TarArchiveInputStream source = new TarArchiveInputStream(in);
                OutputStream out = Files.newOutputStream(rewritten);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out, TarConstants.DEFAULT_RCDSIZE)) {
            byte[] index = null;
            for (TarArchiveEntry entry = source.getNextEntry(); entry != null; entry = source.getNextEntry()) {
                if (entry.getName().equals("index.json")) {
                    index = source.readAllBytes();
                    continue;
                }
                tar.putArchiveEntry(header(entry.getName(), entry.isDirectory() ? TarConstants.LF_DIR
                        : TarConstants.LF_NORMAL, entry.getMode(), entry.getSize()));
                source.transferTo(tar);
                tar.closeArchiveEntry();
            }
            if (index == null) {
                throw new IOException(archive + " has no index.json: not an OCI layout archive");
            }
            for (Blob blob : referrerBlobs(referrer)) {
                writeEntry(tar, "blobs/sha256/" + blob.hex(), blob.bytes());
            }
            writeEntry(tar, "index.json", withReferrer(index, referrer));
            tar.finish();
        } catch (IOException e) {
            Files.deleteIfExists(rewritten);
            throw e;
        }
        Files.move(rewritten, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Blob> referrerBlobs(Referrer referrer) {
        List<Blob> blobs = new java.util.ArrayList<>(referrer.blobs());
        blobs.add(referrer.manifest());
        return blobs;
    }

    private static void writeEntry(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        tar.putArchiveEntry(header(name, TarConstants.LF_NORMAL, 0644, bytes.length));
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    /** index.json with the referrer's descriptor appended: artifactType, and no ref.name (it is no tagged image). */
    private static byte[] withReferrer(byte[] indexJson, Referrer referrer) throws IOException {
        ObjectNode index = (ObjectNode) JSON.readTree(indexJson);
        ObjectNode descriptor = index.withArray("manifests").addObject();
        descriptor.put("mediaType", referrer.manifest().mediaType());
        descriptor.put("digest", referrer.manifest().digest());
        descriptor.put("size", referrer.manifest().size());
        descriptor.put("artifactType", referrer.artifactType());
        return JSON.writeValueAsBytes(index);
    }

    private static TarArchiveEntry header(String name, byte type, int mode, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, false);
        entry.setMode(mode);
        entry.setModTime(0L);
        entry.setSize(size);
        return entry;
    }

    private static Map<String, byte[]> files(AssembledImage image, String refName) throws IOException {
        List<Blob> blobs = new java.util.ArrayList<>(image.blobsInPushOrder());
        blobs.add(image.manifest());
        return files(blobs, image.manifest(), refName);
    }

    private static Map<String, byte[]> files(ImageIndex index, String refName) throws IOException {
        List<Blob> blobs = new java.util.ArrayList<>();
        for (ImageIndex.PlatformImage each : index.images()) {
            blobs.addAll(each.image().blobsInPushOrder());
            blobs.add(each.image().manifest());
        }
        blobs.add(index.index());
        return files(blobs, index.index(), refName);
    }

    /** Layout files in a fixed order: blobs first (each once), oci-layout, index.json naming {@code top} last. */
    private static Map<String, byte[]> files(List<Blob> blobs, Blob top, String refName) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Blob blob : blobs) {
            files.put("blobs/sha256/" + blob.hex(), blob.bytes());
        }
        files.put("oci-layout", OCI_LAYOUT);
        files.put("index.json", JSON.writeValueAsBytes(index(top, refName)));
        return files;
    }

    private static Map<String, Object> index(Blob manifest, String refName) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", manifest.mediaType());
        descriptor.put("digest", manifest.digest());
        descriptor.put("size", manifest.size());
        if (refName != null && !refName.isBlank()) {
            descriptor.put("annotations", Map.of("org.opencontainers.image.ref.name", refName));
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", List.of(descriptor));
        return index;
    }
}
