package dev.minimalimage.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.minimalimage.testsupport.HttpRefsGitServer;
import dev.minimalimage.testsupport.TestCertificates;

/**
 * Git's smart HTTP protocol (v0, stateless, as GitServlet serves it) over TLS on 127.0.0.1, behind basic auth: the
 * ref advertisement (GET info/refs) and the pack (POST git-upload-pack), both by JGit's UploadPack, on the JDK's
 * HttpsServer with the test CA's server certificate. What a builder pod's fetch from a private https git host does,
 * end to end: TLS with a CA from --ca-bundle, a 401 answered with the credentials directory's user and password, a
 * pack received and checked out.
 */
final class HttpsGitServer implements AutoCloseable {

    private static final String REPOSITORY_PATH = "/repo.git";

    private final HttpsServer server;
    private final Repository repository;
    private final String authorization;

    HttpsGitServer(Repository repository, TestCertificates certificates, String user, String password)
            throws IOException, GeneralSecurityException {
        this.repository = repository;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
        server.createContext(REPOSITORY_PATH + "/info/refs", exchange -> authorized(exchange, this::advertise));
        server.createContext(REPOSITORY_PATH + "/git-upload-pack", exchange -> authorized(exchange, this::uploadPack));
        server.start();
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + REPOSITORY_PATH;
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void authorized(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            if (!HttpRefsGitServer.challenged(exchange, authorization)) {
                handler.handle(exchange);
            }
        }
    }

    private void advertise(HttpExchange exchange) throws IOException {
        HttpRefsGitServer.advertise(exchange, repository);
    }

    /** The client's wants and haves in, the pack out (JGit gzips larger requests). */
    private void uploadPack(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        InputStream request = exchange.getRequestBody();
        if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            request = new GZIPInputStream(request);
        }
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        UploadPack upload = new UploadPack(repository);
        upload.setBiDirectionalPipe(false);
        upload.upload(request, response, null);
        exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-result");
        exchange.sendResponseHeaders(200, response.size());
        try (OutputStream out = exchange.getResponseBody()) {
            response.writeTo(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
