package dev.minimalimage.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.cloud.tools.jib.http.FailoverHttpClient;

/**
 * Spares a push to a plain-HTTP registry Jib's TLS attempts. With insecure registries allowed, Jib's client first
 * tries HTTPS, then HTTPS without verification, and only then plain HTTP, remembering the outcome per host and port.
 * Against a registry that speaks plain HTTP the two TLS attempts fail for sure, and on a cold JVM they are not cheap:
 * the JSSE stack (~800 classes), two SSL contexts and the key shares of two ClientHellos, on the path of every
 * `package --insecure` (the builder pod's first registry request, the command line's push). So before the first
 * request this asks the registry's port over plain HTTP once ({@code GET /v2/}, no credentials). A port that answers
 * as a registry does there, 200 or 401 (the distribution spec's answers to {@code /v2/}), speaks plain HTTP and so
 * cannot complete a TLS handshake: Jib's outcome there would be HTTP anyway, and it is written into Jib's history at
 * once. Anything else is left to Jib as before: a TLS alert, nothing, a refused connection, and any other status,
 * among them the 400 with which Go's TLS servers (docker-registry's) and nginx answer plain HTTP on a TLS port. Only
 * ever used when the caller allowed plain HTTP ({@code --insecure}) and has no credentials for the registry: a port
 * that serves TLS and plain HTTP alike (some proxies tell them apart per connection) would have had Jib's TLS, and
 * credentials are not to cross it in clear because of a probe.
 */
public final class PlainHttpRegistry {

    /** Bounds the probe, from its connect to the status code: a registry on the same network answers in ms. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** The probe's User-Agent: a registry's access log (or a test) tells the probe from the push's own requests. */
    public static final String PROBE_USER_AGENT = "minimal-image (plain-HTTP probe)";

    /** "HTTP/1.1 401" and the like: the status line up to its code. */
    private static final int STATUS_PREFIX_LENGTH = "HTTP/1.1 200".length();

    private PlainHttpRegistry() {
    }

    /**
     * Probes {@code registry} (host:port, as in an image reference) and, if it speaks plain HTTP, tells {@code http}
     * so. Returns whether it did. Never throws: any failure leaves Jib's own failover in charge. Not for a registry
     * without a port (Jib would try 443, then plain HTTP on 80: two ports, and with nothing on 443 Jib sends no
     * ClientHello anyway), nor when the JVM is told to use a proxy there (the probe would not take the path Jib's
     * requests take).
     */
    static boolean rememberIfPlainHttp(FailoverHttpClient http, String registry) {
        URL url;
        try {
            // the URL Jib builds for the registry's API, so that host and port are read as Jib reads them
            url = new URL("https://" + registry + "/v2/");
        } catch (MalformedURLException e) {
            return false;
        }
        if (url.getPort() == -1 || !direct(url)) {
            return false;
        }
        return answersPlainHttp(url.getHost(), url.getPort(), registry) && recordHttpFailover(http, url);
    }

    private static boolean direct(URL url) {
        try {
            ProxySelector proxies = ProxySelector.getDefault();
            return proxies == null || proxies.select(new URI("http", null, url.getHost(), url.getPort(), "/v2/", null,
                    null)).stream().allMatch(proxy -> proxy.type() == Proxy.Type.DIRECT);
        } catch (URISyntaxException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether host:port answers a plain HTTP {@code GET /v2/} with 200 or 401, within {@link #PROBE_TIMEOUT} from the
     * connect to the status code (a peer that trickles its answer does not get a new timeout for every byte).
     */
    static boolean answersPlainHttp(String host, int port, String hostHeader) {
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v2/ HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: " + PROBE_USER_AGENT + "\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return isRegistryAnswer(new String(readUpTo(socket, STATUS_PREFIX_LENGTH, deadline),
                    StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return false;
        }
    }

    static boolean isRegistryAnswer(String statusPrefix) {
        return (statusPrefix.startsWith("HTTP/1.1 ") || statusPrefix.startsWith("HTTP/1.0 "))
                && (statusPrefix.endsWith(" 200") || statusPrefix.endsWith(" 401"));
    }

    private static byte[] readUpTo(Socket socket, int length, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] bytes = new byte[length];
        int read = 0;
        while (read < length) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("no status line within " + PROBE_TIMEOUT);
            }
            socket.setSoTimeout((int) left);
            int n = in.read(bytes, read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return Arrays.copyOf(bytes, read);
    }

    /**
     * Writes HTTP into Jib's failover history for the URL's host and port, under the key Jib itself uses
     * ({@code host + ":" + port}, the port as the URL gives it). Jib keeps the history private (jib-core 0.28.1:
     * FailoverHttpClient.failoverHistory, an enum Failover); should an upgrade change that, nothing is written and
     * Jib probes TLS first as it always did.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean recordHttpFailover(FailoverHttpClient http, URL url) {
        try {
            Field field = FailoverHttpClient.class.getDeclaredField("failoverHistory");
            field.setAccessible(true);
            Class<? extends Enum> failover = (Class<? extends Enum>) Class
                    .forName(FailoverHttpClient.class.getName() + "$Failover");
            ((Map<String, Object>) field.get(http)).put(url.getHost() + ":" + url.getPort(),
                    Enum.valueOf(failover, "HTTP"));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
