package io.herald.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private certificate authority and a server certificate it signed for 127.0.0.1 and
 * localhost, made with openssl in a temporary directory: what an operator has for a Redis or NATS
 * reached over TLS with a CA of their own. The JVM does not trust this CA.
 */
public record TestCertificates(Path dir, Path caCertificate, Path serverCertificate, Path serverKey) {

    public static TestCertificates make() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("herald-tls");
        Path caKey = dir.resolve("ca.key");
        Path ca = dir.resolve("ca.pem");
        Path key = dir.resolve("server.key");
        Path request = dir.resolve("server.csr");
        Path certificate = dir.resolve("server.pem");
        Path extensions = dir.resolve("server.ext");
        Files.writeString(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", ca.toString(),
                "-days", "2", "-subj", "/CN=Herald test CA");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", request.toString(),
                "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", certificate.toString(), "-days", "2", "-extfile", extensions.toString());
        return new TestCertificates(dir, ca, certificate, key);
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Path output = dir.resolve("openssl.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + Files.readString(output));
        }
    }
}
