package dev.minimalimage.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Writes an image as an OCI image layout (directory or tar), for builds that name no registry. */
public final class OciLayoutWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private OciLayoutWriter() {
    }

    public static void writeDirectory(AssembledImage image, String refName, Path dir) throws IOException {
        for (Map.Entry<String, byte[]> file : files(image, refName).entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
    }

    public static void writeArchive(AssembledImage image, String refName, Path archive) throws IOException {
        if (archive.toAbsolutePath().getParent() != null) {
            Files.createDirectories(archive.toAbsolutePath().getParent());
        }
        try (OutputStream out = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out, TarConstants.DEFAULT_RCDSIZE)) {
            for (String dir : List.of("blobs/", "blobs/sha256/")) {
                tar.putArchiveEntry(header(dir, TarConstants.LF_DIR, 0755, 0));
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> file : files(image, refName).entrySet()) {
                tar.putArchiveEntry(header(file.getKey(), TarConstants.LF_NORMAL, 0644, file.getValue().length));
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    private static TarArchiveEntry header(String name, byte type, int mode, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, false);
        entry.setMode(mode);
        entry.setModTime(0L);
        entry.setSize(size);
        return entry;
    }

    /** Layout files in a fixed order: blobs first, index.json last. */
    private static Map<String, byte[]> files(AssembledImage image, String refName) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<Blob> blobs = new java.util.ArrayList<>(image.blobsInPushOrder());
        blobs.add(image.manifest());
        for (Blob blob : blobs) {
            files.put("blobs/sha256/" + blob.hex(), blob.bytes());
        }
        files.put("oci-layout", OCI_LAYOUT);
        files.put("index.json", JSON.writeValueAsBytes(index(image.manifest(), refName)));
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
