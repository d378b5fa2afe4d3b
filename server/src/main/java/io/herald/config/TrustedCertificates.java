package io.herald.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificate authorities from a PEM file (a private CA that signed a backend's certificate), for
 * TLS to Redis and NATS. Read once at configuration time, so that a wrong path or a file without
 * a certificate stops start-up naming the key rather than failing at the first handshake.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {}

    /** The certificates of {@code pemFile}; at least one, else an IOException saying why. */
    public static List<Certificate> read(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IOException("no PEM certificate in " + pemFile);
            }
            return List.copyOf(certificates);
        } catch (GeneralSecurityException e) {
            throw new IOException("no readable PEM certificate in " + pemFile + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A TLS context that trusts the authorities of {@code pemFile} (and only them: a backend with a
     * private CA is not also reachable through a public one). Host names are checked by the client.
     */
    public static SSLContext sslContext(Path pemFile) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : read(pemFile)) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a TLS context from " + pemFile + ": " + e.getMessage(), e);
        }
    }
}
