package dev.minimalimage.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import dev.minimalimage.image.PlainHttpRegistry;

/**
 * A stand-in for a registry in trouble, on 127.0.0.1: a TCP proxy in front of a real {@link LocalRegistry} that, for
 * each new connection, either forwards the bytes untouched (the registry builds its Location URLs from the Host
 * header, so uploads keep going through the proxy) or answers one canned HTTP response and closes, while an
 * {@link Answer} supplier says so. A TLS ClientHello (Jib probes https first under --insecure) gets plain text back,
 * as from any plain-HTTP server, so the client falls back to http. Records every canned answer with its time.
 */
public final class FlakyRegistry implements AutoCloseable {

    /** A canned response; {@link #FORWARD} means pass the connection through to the real registry. */
    public record Answer(int status, String reason, List<String> headers) {
        public static final Answer FORWARD = new Answer(0, null, List.of());
    }

    /** One request that got a canned answer: when, its request line, what it got. */
    public record Refused(Instant at, String requestLine, int status) {
    }

    private final ServerSocket server;
    private final int targetPort;
    private final Supplier<Answer> answer;
    private final List<Refused> refused = new CopyOnWriteArrayList<>();
    private final List<Integer> firstBytes = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** @param targetPort the real registry's port on 127.0.0.1, or 0 for none (then never {@link Answer#FORWARD}) */
    public FlakyRegistry(int targetPort, Supplier<Answer> answer) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.answer = answer;
        this.acceptor = new Thread(this::acceptLoop, "flaky-registry");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public List<Refused> refused() {
        return List.copyOf(refused);
    }

    /** The first byte of every connection, answered or forwarded (0x16: a TLS ClientHello; -1: closed at once). */
    public List<Integer> firstBytes() {
        return List.copyOf(firstBytes);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Answer now = answer.get();
                Thread handler = new Thread(() -> handle(client, now), "flaky-registry-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void handle(Socket client, Answer now) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            int first = in.read();
            firstBytes.add(first);
            if (now.status() == 0) {
                forward(client, first);
                return;
            }
            if (first == 0x16) { // TLS handshake record: answer like a plain-HTTP server does
                out.write("HTTP/1.0 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String head = (char) first + readHead(in);
            String requestLine = head.lines().findFirst().orElse("");
            if (!head.contains("User-Agent: " + PlainHttpRegistry.PROBE_USER_AGENT + "\r\n")) {
                // the push's own requests; the plain-HTTP probe before each connection gets the same answer, uncounted
                refused.add(new Refused(Instant.now(), requestLine, now.status()));
            }
            StringBuilder response = new StringBuilder("HTTP/1.1 " + now.status() + " " + now.reason() + "\r\n");
            for (String header : now.headers()) {
                response.append(header).append("\r\n");
            }
            response.append("Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            out.write(response.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // the client went away; nothing to answer
        }
    }

    /** The request's header block (up to the empty line); requests in an outage are header-only (GET /v2/, HEAD). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && head.size() < 65536) {
            head.write(b);
            String s = head.toString(StandardCharsets.US_ASCII);
            if (s.endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private void forward(Socket client, int first) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            if (first >= 0) {
                upstream.getOutputStream().write(first);
            }
            Thread back = new Thread(() -> pipe(upstream, client), "flaky-registry-back");
            back.setDaemon(true);
            back.start();
            pipe(client, upstream);
            try {
                back.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException closed) {
            // either side closed: the connection is over
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
