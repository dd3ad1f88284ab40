package dev.minimalimage.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;

/**
 * Checks a Ready status against what the registry really stores (its HTTP API and skopeo, both independent of the
 * code under test), then pulls the image by digest and runs it from a root holding nothing but its layers.
 */
public final class PushedImages {

    private PushedImages() {
    }

    public static void assertRunsFromEmptyRoot(RegistryApi registry, Path work, MinimalImageStatus status,
            String repository, String tag, String binary, String expectedOutput) throws Exception {
        byte[] manifest = registry.manifest(repository, tag);
        assertThat(registry.dockerContentDigest(repository, tag)).contains(status.getDigest());
        assertThat(sha256(manifest)).isEqualTo(status.getDigest());
        assertThat(sha256(Skopeo.inspectRaw(registry.host() + "/" + repository + ":" + tag)
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(status.getDigest());
        assertThat(status.getCompressedSize()).isEqualTo(registry.storedBytes(repository, manifest));
        assertThat(status.getImageRef()).isEqualTo(registry.host() + "/" + repository + "@" + status.getDigest());
        Path rootfs = Skopeo.pullRootfs(status.getImageRef(), work.resolve("pull-" + repository.replace('/', '-')));
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", binary);
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        assertThat(ran.stdout()).isEqualTo(expectedOutput);
    }

    public static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
