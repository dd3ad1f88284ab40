package dev.minimalimage.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.junit.jupiter.api.Test;

/** The hint after a failed TLS connection names the flag that fixes it, and none when no flag can. */
class RegistryTlsRemedyTest {

    private static SSLHandshakeException handshake(Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException("(certificate_unknown) " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsNoMatterOfTrust() {
        String expected = "; its certificate does not name the host registry.example (a certificate for another"
                + " name, which --ca-bundle cannot fix): push to a name the certificate lists, or give the registry"
                + " a certificate for registry.example";
        for (Throwable e : new Throwable[] {
                handshake(new CertificateException("No subject alternative DNS name matching registry.example found.")),
                handshake(new CertificateException("No subject alternative names present")),
                handshake(new CertificateException("No name matching registry.example found")),
                new SSLPeerUnverifiedException("peer not authenticated") }) {
            assertThat(RegistryPusher.tlsRemedy(e, "registry.example:5000")).as(e.toString()).isEqualTo(expected);
        }
        assertThat(RegistryPusher.tlsRemedy(new SSLPeerUnverifiedException("x"), "127.0.0.1"))
                .contains("does not name the host 127.0.0.1 (");
        assertThat(RegistryPusher.tlsRemedy(new SSLPeerUnverifiedException("x"), "[::1]:5000"))
                .contains("does not name the host ::1 (");
    }

    @Test
    void anUntrustedCertificateAndAPlainHttpRegistryKeepTheirHints() {
        assertThat(RegistryPusher.tlsRemedy(handshake(new CertPathValidatorException("PKIX path validation failed")),
                "registry.example")).isEqualTo("; its certificate is not trusted: if it uses a private CA, pass"
                        + " --ca-bundle FILE");
        assertThat(RegistryPusher.tlsRemedy(handshake(new CertificateException("Certificates do not conform")),
                "registry.example")).contains("--ca-bundle FILE");
        assertThat(RegistryPusher.tlsRemedy(new SSLException("Unsupported or unrecognized SSL message"),
                "registry.example")).contains("--insecure");
        assertThat(RegistryPusher.tlsRemedy(new SSLHandshakeException("No appropriate protocol"), "registry.example"))
                .isEmpty();
    }
}
