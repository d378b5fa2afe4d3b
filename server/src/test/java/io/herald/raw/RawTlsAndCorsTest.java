package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl.enabled serves wss:// and https:// from PEM files; ssl.redirect_http; CORS headers on the API. */
class RawTlsAndCorsTest {
    @TempDir
    static Path dir;

    private static Herald herald;
    private static int redirectPort;
    private static HttpClient trusting;

    @BeforeAll
    static void start() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(output).isZero();

        try (ServerSocket free = new ServerSocket(0)) {
            redirectPort = free.getLocalPort();
        }
        HeraldConfig.SslConfig ssl = new HeraldConfig.SslConfig(true, cert.toString(), key.toString(), true, redirectPort);
        HeraldConfig.CorsConfig cors = new HeraldConfig.CorsConfig(List.of("https://app.example"), List.of("GET", "POST"),
                List.of("Content-Type"), false);
        herald = TestServers.start(TestServers.withSslAndCors(TestServers.config(), ssl, cors));

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("herald", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        trusting = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return trusting.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsAnswersTheApi() throws Exception {
        HttpResponse<String> up = send(HttpRequest.newBuilder(URI.create("https://localhost:" + herald.port() + "/up")));
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("OK");
    }

    @Test
    void wssServesPusherConnections() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket socket = trusting.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + herald.port() + "/app/" + TestServers.APP_KEY + "?protocol=7"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                first.complete(data.toString());
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(first.get(10, TimeUnit.SECONDS)).contains("pusher:connection_established");
        } finally {
            socket.abort();
        }
    }

    @Test
    void plainHttpPortRedirectsToHttps() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + redirectPort + "/usage?x=1")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(301);
        assertThat(response.headers().firstValue("location")).hasValue("https://127.0.0.1:" + herald.port() + "/usage?x=1");
    }

    @Test
    void allowedOriginGetsCorsHeadersAndPreflight() throws Exception {
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create("https://localhost:" + herald.port() + "/apps/app-id/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST"));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("GET, POST");

        HttpResponse<String> api = send(HttpRequest.newBuilder(URI.create("https://localhost:" + herald.port() + "/usage"))
                .header("Origin", "https://app.example"));
        assertThat(api.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
    }

    @Test
    void otherOriginsGetNoCorsHeaders() throws Exception {
        HttpResponse<String> api = send(HttpRequest.newBuilder(URI.create("https://localhost:" + herald.port() + "/usage"))
                .header("Origin", "https://evil.example"));
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("access-control-allow-origin")).isEmpty();
    }
}
