package dev.minimalimage.image;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.zip.Deflater;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Writes one reproducible layer: entries in the given order, every timestamp at the epoch, owner 0:0 without names,
 * 512-byte tar records (no 10 KiB padding), and a compressor whose header carries no time or host.
 */
final class LayerWriter {

    static final int ZSTD_LEVEL = 19;

    private LayerWriter() {
    }

    /** A compressed layer and the digest of its uncompressed tar (the config's diff_id). */
    record Layer(Blob blob, String diffId, long uncompressedSize) {
    }

    static Layer write(Collection<LayerEntry> entries, Compression compression) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        MessageDigest tarDigest = Blob.newSha256();
        CountingOutputStream tarBytes;
        try (OutputStream compressor = compressor(compression, compressed);
                DigestOutputStream hashing = new DigestOutputStream(compressor, tarDigest);
                CountingOutputStream counting = new CountingOutputStream(hashing);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(counting, TarConstants.DEFAULT_RCDSIZE)) {
            tarBytes = counting;
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (LayerEntry entry : entries) {
                writeEntry(tar, entry);
            }
            tar.finish();
        }
        String diffId = "sha256:" + HexFormat.of().formatHex(tarDigest.digest());
        return new Layer(Blob.of(compression.mediaType(), compressed.toByteArray()), diffId, tarBytes.count);
    }

    private static void writeEntry(TarArchiveOutputStream tar, LayerEntry entry) throws IOException {
        TarArchiveEntry header = switch (entry.kind()) {
            case DIRECTORY -> new TarArchiveEntry(entry.tarName(), TarConstants.LF_DIR, false);
            case FILE -> new TarArchiveEntry(entry.tarName(), TarConstants.LF_NORMAL, false);
            case SYMLINK -> new TarArchiveEntry(entry.tarName(), TarConstants.LF_SYMLINK, false);
        };
        header.setMode(entry.mode());
        header.setModTime(0L);
        header.setIds(0, 0);
        header.setNames("", "");
        if (entry.kind() == LayerEntry.Kind.SYMLINK) {
            header.setLinkName(entry.linkTarget());
        }
        if (entry.kind() == LayerEntry.Kind.FILE) {
            header.setSize(entry.content() != null ? entry.content().length : Files.size(entry.source()));
        }
        tar.putArchiveEntry(header);
        if (entry.content() != null) {
            tar.write(entry.content());
        } else if (entry.source() != null) {
            Files.copy(entry.source(), tar);
        }
        tar.closeArchiveEntry();
    }

    private static OutputStream compressor(Compression compression, OutputStream out) throws IOException {
        if (compression == Compression.ZSTD) {
            return new ZstdCompressorOutputStream(out, ZSTD_LEVEL, true);
        }
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(Deflater.BEST_COMPRESSION);
        parameters.setModificationTime(0);
        parameters.setOperatingSystem(255); // "unknown": the same bytes whatever OS builds the layer
        parameters.setBufferSize(64 * 1024);
        return new GzipCompressorOutputStream(out, parameters);
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
