package dev.minimalimage.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * --ca-bundle FILE: the JDK's default trust anchors plus the PEM certificates in FILE, installed as this process's
 * default TLS trust, so that private registries and git servers are verified instead of reached with --insecure.
 *
 * <p>Both clients take their trust from the JDK defaults at connection time, which is why this is process-wide:
 * Jib's Apache HTTP transport builds its socket factory with {@code SSLConnectionSocketFactory.getSystemSocketFactory()}
 * ({@code SSLContext.getDefault()}) for every new FailoverHttpClient, and JGit's default JDK connection factory uses
 * {@code HttpsURLConnection}, whose default socket factory is cached at first use and so is replaced explicitly. The
 * javax.net.ssl.trustStore properties would not do: the JDK reads them once, when the default context is first
 * created. Both paths are covered by tests against real TLS servers (TrustedCertificatesTest).
 */
final class TrustedCertificates {

    private TrustedCertificates() {
    }

    /** Reads {@code bundle} and installs default trust + its certificates; a bad file is an IllegalArgumentException. */
    static void install(Path bundle) {
        if (bundle == null) {
            return;
        }
        List<X509Certificate> extra = read(bundle);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(extra), null);
            SSLContext.setDefault(context);
            HttpsURLConnection.setDefaultSSLSocketFactory(context.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS trust with --ca-bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    /** The X.509 certificates of a PEM (or DER) file; at least one, else an IllegalArgumentException naming the file. */
    static List<X509Certificate> read(Path bundle) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(bundle)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--ca-bundle " + bundle + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("--ca-bundle " + bundle + ": cannot read: " + e.getMessage());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("--ca-bundle " + bundle + ": not a PEM certificate bundle: " + e.getMessage());
        }
        List<X509Certificate> x509 = new ArrayList<>();
        for (Certificate certificate : certificates) {
            if (certificate instanceof X509Certificate c) {
                x509.add(c);
            }
        }
        if (x509.isEmpty()) {
            throw new IllegalArgumentException("--ca-bundle " + bundle + ": holds no certificate"
                    + " (expected one or more -----BEGIN CERTIFICATE----- blocks)");
        }
        return x509;
    }

    /** Trust managers for the JDK's default anchors (cacerts or javax.net.ssl.trustStore) plus {@code extra}. */
    private static TrustManager[] trustManagers(List<X509Certificate> extra) throws GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            anchors.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int n = 0;
        for (X509Certificate c : defaultAnchors()) {
            anchors.setCertificateEntry("default-" + n++, c);
        }
        for (X509Certificate c : extra) {
            anchors.setCertificateEntry("ca-bundle-" + n++, c);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        return factory.getTrustManagers();
    }

    private static List<X509Certificate> defaultAnchors() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        List<X509Certificate> anchors = new ArrayList<>();
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                anchors.addAll(List.of(x509.getAcceptedIssuers()));
            }
        }
        return anchors;
    }
}
