package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes the packer writes for fixed inputs, pinned: builds are keyed by {@link ImageAssembler#OUTPUT_FORMAT_VERSION},
 * not by the builder image's tag, so other bytes for the same inputs without a bump would leave every resource on
 * an old digest after an upgrade while new builds of the same source got another one. The pin is cross-checked by
 * an independent assembly of the same tar, gzip, config and manifest in Python (its own tar headers, zlib with the
 * same blocks and dictionaries, json), so a pin cannot be updated to whatever the Java code happens to write.
 */
class ImageDigestPinTest {

    /**
     * The digests of {@link #fixedImage} per output format version, a new version adds its line: a binary of two and
     * a half gzip blocks at level 6 (the block boundaries and their 32 KiB dictionaries are part of the bytes), and
     * one just over {@link Compression#SMALL_LAYER} with no level given (the level chosen by size is part of them).
     */
    static final Map<Integer, Pins> PINNED = Map.of(
            1, new Pins("sha256:9a4e5136aab5ca755a9b630449443fae7f799e081b9d6fff7b5182f77f883bcb", null),
            2, new Pins("sha256:9a4e5136aab5ca755a9b630449443fae7f799e081b9d6fff7b5182f77f883bcb",
                    "sha256:11ef0486e607540dac190af678774d674ab26effcce2d0fbe183bfdc0419ff25"));

    record Pins(String explicitLevel, String levelBySize) {
    }

    static final int EXPLICIT_LEVEL_SIZE = ParallelGzip.BLOCK * 5 / 2;
    static final int EXPLICIT_LEVEL = 6;
    /** Over the small-layer limit once the tar's headers are added; what the test expects the packer to choose. */
    static final int BY_SIZE_SIZE = (int) Compression.SMALL_LAYER + ParallelGzip.BLOCK / 3;
    static final int LARGE_LAYER_LEVEL = 4;

    @TempDir
    Path work;

    @Test
    void theDigestOfFixedInputsIsPinnedForThisOutputFormatVersion() throws Exception {
        Pins pinned = PINNED.get(ImageAssembler.OUTPUT_FORMAT_VERSION);
        assertThat(pinned).as("no digests pinned for OUTPUT_FORMAT_VERSION %d: add them to PINNED (this test's"
                + " independent assembly must agree with them)", ImageAssembler.OUTPUT_FORMAT_VERSION).isNotNull();
        assertPinned("level 6", fixedImage(writeBinary(EXPLICIT_LEVEL_SIZE), EXPLICIT_LEVEL), pinned.explicitLevel());
        assertPinned("no level given", fixedImage(writeBinary(BY_SIZE_SIZE), Compression.BY_SIZE),
                pinned.levelBySize());
    }

    private static void assertPinned(String what, AssembledImage image, String pinned) {
        assertThat(image.digest()).as("the packer writes other bytes (%s) for the same inputs than"
                + " OUTPUT_FORMAT_VERSION %d pinned. If that is intended, bump ImageAssembler.OUTPUT_FORMAT_VERSION"
                + " (every resource rebuilds once on upgrade) and pin the new digests here under the new version; if"
                + " not, it is a regression", what, ImageAssembler.OUTPUT_FORMAT_VERSION).isEqualTo(pinned);
    }

    @Test
    void anIndependentAssemblyInPythonWritesTheSameBytesAtAGivenLevel() throws Exception {
        assertSameAsPython(writeBinary(EXPLICIT_LEVEL_SIZE), EXPLICIT_LEVEL, EXPLICIT_LEVEL);
    }

    @Test
    void anIndependentAssemblyInPythonWritesTheSameBytesAtTheLevelChosenBySize() throws Exception {
        assertSameAsPython(writeBinary(BY_SIZE_SIZE), Compression.BY_SIZE, LARGE_LAYER_LEVEL);
    }

    private void assertSameAsPython(Path binary, int setting, int pythonLevel) throws Exception {
        AssembledImage image = fixedImage(binary, setting);
        Map<String, String> python = pythonAssembly(binary, pythonLevel);
        assertThat(python.get("diff_id")).as("uncompressed tar (diff_id)").isEqualTo(image.diffIds().get(0));
        assertThat(python.get("layer")).as("gzip'ed layer").isEqualTo(image.layers().get(0).digest());
        assertThat(python.get("config")).as("image config").isEqualTo(image.config().digest());
        assertThat(python.get("manifest")).as("manifest, i.e. the image digest").isEqualTo(image.digest());
    }

    /** Deterministic bytes, compressible in parts (as a binary is), not a repeated pattern gzip would make trivial. */
    private Path writeBinary(int size) throws IOException {
        byte[] bytes = new byte[size];
        long state = 0x2545F4914F6CDD1DL;
        for (int i = 0; i < bytes.length; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            bytes[i] = (byte) ((state >>> 59) + (i / 4096 % 7) * 16); // 5 random bits and a slow ramp
        }
        return Files.write(work.resolve("binary-" + size), bytes);
    }

    private static AssembledImage fixedImage(Path binary, int level) throws IOException {
        ImageConfig config = new ImageConfig("/app/hello", List.of("--greet", "world"), List.of("LANG=C.UTF-8"), "/",
                "65532:65532", List.of("8080"), new TreeMap<>(Map.of("org.opencontainers.image.title", "pin")),
                new TreeMap<>(Map.of("org.opencontainers.image.source", "https://example.com/pin")),
                new ImageConfig.Extras(null, true, true, null), Compression.GZIP, level);
        return ImageAssembler.assemble(binary, config, Platform.LINUX_AMD64);
    }

    /** The same image, assembled from the OCI and tar specifications by python3; the digests it computed. */
    private Map<String, String> pythonAssembly(Path binary, int level) throws IOException, InterruptedException {
        Path script = Files.writeString(work.resolve("assemble.py"), PYTHON);
        Process process = new ProcessBuilder("python3", script.toString(), binary.toString(),
                String.valueOf(ParallelGzip.BLOCK), String.valueOf(level)).redirectErrorStream(true).start();
        if (!process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("python3 did not finish in 60 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        Map<String, String> digests = new TreeMap<>();
        out.lines().map(line -> line.split(" ", 2)).forEach(kv -> digests.put(kv[0], kv[1]));
        return digests;
    }

    static final String PYTHON = """
            import hashlib, json, sys, zlib

            binary = open(sys.argv[1], 'rb').read()
            block = int(sys.argv[2])
            level = int(sys.argv[3])

            def octal(value, width):  # zero-padded octal ended by a space (POSIX allows a space or a NUL)
                return ('%0*o' % (width - 1, value)).encode() + b' '

            def header(name, mode, size, kind, link=''):
                fields = [name.encode().ljust(100, b'\\0'), octal(mode, 8), octal(0, 8), octal(0, 8), octal(size, 12),
                          octal(0, 12), b' ' * 8, kind, link.encode().ljust(100, b'\\0'), b'ustar\\x0000',
                          b'\\0' * 32, b'\\0' * 32, octal(0, 8), octal(0, 8), b'\\0' * 155]
                raw = b''.join(fields).ljust(512, b'\\0')
                checksum = ('%06o' % sum(raw)).encode() + b'\\0 '
                return raw[:148] + checksum + raw[156:]

            def file(name, mode, data):
                return header(name, mode, len(data), b'0') + data + b'\\0' * (-len(data) % 512)

            passwd = b'root:x:0:0:root:/root:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n'
            group = b'root:x:0:\\nnonroot:x:65532:\\n'
            # every path and its parents, sorted by path; directories end in '/', no leading '/'
            tar = b''.join([header('app/', 0o755, 0, b'5'), file('app/hello', 0o755, binary),
                            header('etc/', 0o755, 0, b'5'), file('etc/group', 0o644, group),
                            file('etc/passwd', 0o644, passwd), header('tmp/', 0o1777, 0, b'5')]) + b'\\0' * 1024

            # gzip: a 10-byte header without name or time (extra flags 2 for level 9, 4 for 1, as GNU gzip; OS
            # unknown), then independent raw deflate blocks, each primed with the 32 KiB before it and ended by a sync
            # flush but the last, then CRC-32 and size
            gz = bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, {9: 2, 1: 4}.get(level, 0), 255])
            for start in range(0, len(tar), block):
                last = start + block >= len(tar)
                options = dict(zdict=tar[max(0, start - 32768):start]) if start else {}
                deflate = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, **options)
                gz += deflate.compress(tar[start:start + block]) + deflate.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
            gz += (zlib.crc32(tar) & 0xffffffff).to_bytes(4, 'little') + len(tar).to_bytes(4, 'little')

            def sha(data):
                return 'sha256:' + hashlib.sha256(data).hexdigest()

            def compact(value):
                return json.dumps(value, separators=(',', ':'), ensure_ascii=False).encode()

            config = compact({'architecture': 'amd64', 'os': 'linux',
                              'config': {'User': '65532:65532', 'ExposedPorts': {'8080/tcp': {}}, 'Env': ['LANG=C.UTF-8'],
                                         'Entrypoint': ['/app/hello'], 'Cmd': ['--greet', 'world'], 'WorkingDir': '/',
                                         'Labels': {'org.opencontainers.image.title': 'pin'}},
                              'rootfs': {'type': 'layers', 'diff_ids': [sha(tar)]}})
            manifest = compact({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                                'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': sha(config),
                                           'size': len(config)},
                                'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': sha(gz),
                                            'size': len(gz)}],
                                'annotations': {'org.opencontainers.image.source': 'https://example.com/pin'}})
            print('diff_id', sha(tar))
            print('layer', sha(gz))
            print('config', sha(config))
            print('manifest', sha(manifest))
            """;
}
