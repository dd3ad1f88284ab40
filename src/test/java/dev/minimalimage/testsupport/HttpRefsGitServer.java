package dev.minimalimage.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The first request of git's smart HTTP protocol on the JDK's HTTP server, bound to 127.0.0.1 and behind Basic auth:
 * GET /repo.git/info/refs?service=git-upload-pack answers the repository's ref advertisement (JGit's UploadPack,
 * protocol v0, annotated tags with their peeled ^{} lines, HEAD). That is all ls-remote asks; fetching (the POST)
 * is not served. (JGit cannot ls-remote a "dumb HTTP" server without a local repository, so this is the cheap real
 * https-style server.)
 */
public final class HttpRefsGitServer implements AutoCloseable {

    private final HttpServer server;
    private final Repository repository;
    private final String authorization;

    public HttpRefsGitServer(Repository repository, String user, String password) throws IOException {
        this.repository = repository;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/repo.git/info/refs", this::advertise);
        server.start();
    }

    /** The repository's URL (add user:password@ yourself to test credentials in the URL). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo.git";
    }

    private void advertise(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (challenged(exchange, authorization)) {
                return;
            }
            advertise(exchange, repository);
        }
    }

    /** Answers 401 with a Basic challenge unless the request carries {@code authorization}; whether it did. */
    public static boolean challenged(HttpExchange exchange, String authorization) throws IOException {
        if (authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return false;
        }
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
        exchange.sendResponseHeaders(401, -1);
        return true;
    }

    /** The ref advertisement of {@code repository} (GET info/refs?service=git-upload-pack), protocol v0. */
    public static void advertise(HttpExchange exchange, Repository repository) throws IOException {
        if (!"service=git-upload-pack".equals(exchange.getRequestURI().getQuery())) {
            exchange.sendResponseHeaders(403, -1);
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        PacketLineOut packets = new PacketLineOut(body);
        packets.writeString("# service=git-upload-pack\n");
        packets.end();
        UploadPack upload = new UploadPack(repository);
        upload.setBiDirectionalPipe(false);
        upload.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(packets));
        exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-advertisement");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, body.size());
        try (OutputStream out = exchange.getResponseBody()) {
            body.writeTo(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
