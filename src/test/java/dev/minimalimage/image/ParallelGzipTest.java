package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.Processes;

/** Multi-block output is one valid gzip member (GNU gzip and the JDK agree), stable, and as small as one stream. */
class ParallelGzipTest {

    @Test
    void blocksJoinIntoOneStreamThatGnuGzipAccepts(@TempDir Path dir) throws Exception {
        byte[] input = sample(5 * ParallelGzip.BLOCK + 12345);
        byte[] gz = ParallelGzip.compress(input, 9);
        assertThat(ParallelGzip.compress(input, 9)).isEqualTo(gz);
        ParallelGzip.Gzipped hashed = ParallelGzip.compress(input, 9, () -> { });
        assertThat(hashed.bytes()).isEqualTo(gz);
        assertThat(hashed.sha256()).as("the digest taken while joining the blocks").isEqualTo(Blob.sha256(gz));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(input);
        }
        Path file = Files.write(dir.resolve("x.gz"), gz);
        Processes.run(Duration.ofSeconds(30), List.of("gzip", "-t", file.toString())).requireSuccess("gzip -t");
        Files.write(dir.resolve("x.gz.raw"), input);
        long gnu = Long.parseLong(Processes.run(Duration.ofSeconds(30), List.of("sh", "-c",
                "gzip -9 -n -c < " + dir.resolve("x.gz.raw") + " | wc -c")).stdout().trim());
        assertThat((double) gz.length).isLessThan(gnu * 1.01);
    }

    @Test
    void emptyAndTinyInputs() throws Exception {
        for (byte[] input : List.of(new byte[0], new byte[] { 42 })) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(ParallelGzip.compress(input, 6)))) {
                assertThat(in.readAllBytes()).isEqualTo(input);
            }
        }
    }

    /** Half text-like, half random: compressible enough for the dictionary to matter, like real binaries. */
    private static byte[] sample(int size) {
        byte[] bytes = new byte[size];
        Random random = new Random(7);
        String words = "static linking ships a binary with nothing but itself ";
        for (int i = 0; i < size; i++) {
            bytes[i] = (i / 4096) % 2 == 0 ? (byte) words.charAt((i * 7 + i / 13) % words.length()) : (byte) random.nextInt();
        }
        return bytes;
    }
}
