package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.minimalimage.testsupport.FlakyRegistry;
import dev.minimalimage.testsupport.FlakyRegistry.Answer;
import dev.minimalimage.testsupport.LocalRegistry;

/**
 * `package --insecure` to Debian's docker-registry serving plain HTTP, through a relay that records the first byte of
 * every connection: without credentials the push never opens with a TLS ClientHello (0x16), the plain-HTTP probe
 * having told Jib; with credentials the probe is skipped and Jib tries TLS first, as it always did.
 */
class PlainHttpPushTest {

    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    @TempDir
    Path dir;

    @Test
    void withoutCredentialsNoConnectionStartsWithAClientHello() throws Exception {
        Path hello = PackagePushTest.staticHello(dir);
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
                FlakyRegistry relay = new FlakyRegistry(port(registry), () -> Answer.FORWARD)) {
            CliRun run = CliRun.of("package", hello.toString(), "--image", relay.host() + "/plain:1", "--insecure");

            assertThat(run.exitCode()).as(run.all()).isZero();
            assertThat(registry.dockerContentDigest("plain", "1")).contains(run.result().digest());
            assertThat(relay.firstBytes()).isNotEmpty().doesNotContain(TLS_HANDSHAKE_RECORD);
        }
    }

    @Test
    void withCredentialsJibTriesTlsFirst() throws Exception {
        Path hello = PackagePushTest.staticHello(dir);
        String password = "plain-Pa55-" + System.nanoTime();
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), "builder", password);
                FlakyRegistry relay = new FlakyRegistry(port(registry), () -> Answer.FORWARD)) {
            String auth = Base64.getEncoder().encodeToString(("builder:" + password).getBytes(StandardCharsets.UTF_8));
            Path config = Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"" + relay.host()
                    + "\":{\"auth\":\"" + auth + "\"}}}");
            CliRun run = CliRun.of("package", hello.toString(), "--image", relay.host() + "/private:1", "--insecure",
                    "--docker-config", config.toString());

            assertThat(run.exitCode()).as(run.all()).isZero();
            assertThat(relay.firstBytes()).first().isEqualTo(TLS_HANDSHAKE_RECORD);
        }
    }

    private static int port(LocalRegistry registry) {
        return Integer.parseInt(registry.host().substring(registry.host().lastIndexOf(':') + 1));
    }
}
