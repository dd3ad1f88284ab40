package dev.minimalimage.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Collection;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Writes one reproducible layer: entries in the given order, every timestamp at the epoch, owner 0:0 without names,
 * 512-byte tar records (no 10 KiB padding), and a compressor whose header carries no time or host. The tar is
 * built in memory (binaries are MBs) so it can be compressed on all cores.
 */
final class LayerWriter {


    private LayerWriter() {
    }

    /** A compressed layer and the digest of its uncompressed tar (the config's diff_id). */
    record Layer(Blob blob, String diffId, long uncompressedSize) {
    }

    /** {@code level}: a level of {@code compression}, or {@link Compression#BY_SIZE}. */
    static Layer write(Collection<LayerEntry> entries, Compression compression, int level) throws IOException {
        byte[] tar = tar(entries);
        level = compression.levelFor(level, tar.length);
        String[] diffId = new String[1];
        Blob blob;
        if (compression == Compression.ZSTD) {
            diffId[0] = Blob.sha256(tar);
            blob = Blob.of(compression.mediaType(), zstd(tar, level));
        } else { // hash the tar while the pool compresses it
            ParallelGzip.Gzipped gzipped = ParallelGzip.compress(tar, level, () -> diffId[0] = Blob.sha256(tar));
            blob = new Blob(compression.mediaType(), gzipped.bytes(), gzipped.sha256());
        }
        return new Layer(blob, diffId[0], tar.length);
    }

    private static byte[] tar(Collection<LayerEntry> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, TarConstants.DEFAULT_RCDSIZE)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (LayerEntry entry : entries) {
                writeEntry(tar, entry);
            }
            tar.finish();
        }
        return bytes.toByteArray();
    }

    private static byte[] zstd(byte[] tar, int level) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(tar.length / 2 + 64);
        try (OutputStream zstd = new ZstdCompressorOutputStream(compressed, level, true)) {
            zstd.write(tar);
        }
        return compressed.toByteArray();
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
}
