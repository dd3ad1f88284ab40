package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.Request;
import com.google.cloud.tools.jib.http.Response;

import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.TestCertificates;

/**
 * The probe against Debian's docker-registry serving plain HTTP and TLS, and what it spares: Jib's client, told the
 * registry speaks plain HTTP, sends no TLS ClientHello (a record starting with byte 0x16) before its first request.
 */
class PlainHttpRegistryTest {

    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    @TempDir
    Path dir;

    @Test
    void aPlainHttpRegistryIsRecognised() {
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
            String[] hostPort = registry.host().split(":");
            assertThat(PlainHttpRegistry.answersPlainHttp(hostPort[0], Integer.parseInt(hostPort[1]), registry.host()))
                    .isTrue();
            FailoverHttpClient http = new FailoverHttpClient(true, true, event -> { });
            assertThat(PlainHttpRegistry.rememberIfPlainHttp(http, registry.host())).isTrue();
        }
    }

    @Test
    void aTlsRegistryIsLeftToJib() throws IOException {
        // docker-registry's TLS port answers plain HTTP with "HTTP/1.0 400 Bad Request": a status line, not a registry
        TestCertificates certificates = TestCertificates.create(dir.resolve("certs"));
        try (LocalRegistry registry = LocalRegistry.startTls(dir.resolve("registry"), certificates)) {
            FailoverHttpClient http = new FailoverHttpClient(true, true, event -> { });
            assertThat(PlainHttpRegistry.rememberIfPlainHttp(http, registry.host())).isFalse();
        }
    }

    @Test
    void onlyARegistrysAnswerTo_v2_Counts() {
        assertThat(PlainHttpRegistry.isRegistryAnswer("HTTP/1.1 200")).isTrue();
        assertThat(PlainHttpRegistry.isRegistryAnswer("HTTP/1.1 401")).isTrue();
        assertThat(PlainHttpRegistry.isRegistryAnswer("HTTP/1.0 400")).as("Go's TLS server to plain HTTP").isFalse();
        assertThat(PlainHttpRegistry.isRegistryAnswer("HTTP/1.1 301")).isFalse();
        assertThat(PlainHttpRegistry.isRegistryAnswer("\u0015\u0003\u0003")).isFalse();
        assertThat(PlainHttpRegistry.isRegistryAnswer("")).isFalse();
    }

    @Test
    void aClosedPortOrABadNameIsLeftToJib() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        FailoverHttpClient http = new FailoverHttpClient(true, true, event -> { });
        assertThat(PlainHttpRegistry.rememberIfPlainHttp(http, "127.0.0.1:" + closed)).isFalse();
        assertThat(PlainHttpRegistry.rememberIfPlainHttp(http, "127.0.0.1:notaport")).isFalse();
        // no port: Jib would try 443 and then plain HTTP on 80, two ports; nothing to probe
        assertThat(PlainHttpRegistry.rememberIfPlainHttp(http, "127.0.0.1")).isFalse();
    }

    @Test
    void jibToldOfPlainHttpSendsNoClientHello() throws Exception {
        try (FirstBytes server = new FirstBytes()) {
            FailoverHttpClient http = new FailoverHttpClient(true, true, event -> { });
            assertThat(PlainHttpRegistry.rememberIfPlainHttp(http, server.host())).isTrue();
            try (Response response = http.get(new URL("https://" + server.host() + "/v2/"), Request.builder().build())) {
                assertThat(response.getStatusCode()).isEqualTo(200);
            }
            http.shutDown();
            assertThat(server.firstBytes).as("the probe and Jib's request, both plain HTTP").hasSize(2)
                    .containsOnly((int) 'G');
        }
    }

    /** The control: without the probe, Jib's first connection to the same server is a TLS handshake. */
    @Test
    void jibLeftAloneTriesTlsFirst() throws Exception {
        try (FirstBytes server = new FirstBytes()) {
            FailoverHttpClient http = new FailoverHttpClient(true, true, event -> { });
            try (Response response = http.get(new URL("https://" + server.host() + "/v2/"), Request.builder().build())) {
                assertThat(response.getStatusCode()).isEqualTo(200);
            }
            http.shutDown();
            assertThat(server.firstBytes.get(0)).isEqualTo(TLS_HANDSHAKE_RECORD);
            assertThat(server.firstBytes).last().isEqualTo((int) 'G');
        }
    }

    /**
     * A plain-HTTP server on 127.0.0.1 that records the first byte of every connection and answers each with an empty
     * 200 (enough for Jib's client; the point is what arrives, not the registry API).
     */
    private static final class FirstBytes implements AutoCloseable {
        final List<Integer> firstBytes = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final Thread thread;

        FirstBytes() throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "first-bytes");
            thread.setDaemon(true);
            thread.start();
        }

        String host() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    connection.setSoTimeout(5_000);
                    InputStream in = connection.getInputStream();
                    int first = in.read();
                    firstBytes.add(first);
                    if (first != 'G') {
                        continue; // a TLS ClientHello: close, as a plain-HTTP server would fail it
                    }
                    readHeaders(in);
                    OutputStream out = connection.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                            + "Connection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    // one bad connection; serve the next
                }
            }
        }

        private static void readHeaders(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            int b;
            while (matched < end.length && (b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }
}
