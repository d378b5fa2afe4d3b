package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Herald;
import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import io.herald.testing.PrivateNats;
import io.herald.testing.PrivateRedis;
import io.herald.testing.TestCertificates;
import io.herald.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12, items 14 and 15, proven live: Redis with a password that is not URL-safe, Redis over
 * TLS with a password, and NATS over TLS with a token, each with a private CA made by openssl
 * here; two nodes over each, configured as an operator would (a JSON file read by
 * {@link ConfigLoader}), and a publish through one reaches a subscriber of the other. A wrong
 * password or token, or a missing CA, stops start-up with one line naming the backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackendTlsAndAuthTest {
    /** Every character that once moved the URL elsewhere: '@' (user-info), '#' (fragment), '/' (path). */
    private static final String AWKWARD_PASSWORD = "p@ss#w0rd/x";
    private static final String NATS_TOKEN = "s3cr3t-t0ken-" + UUID.randomUUID();

    private TestCertificates tls;
    private Path dir;

    @BeforeAll
    void certificates() throws Exception {
        tls = TestCertificates.make();
        dir = tls.dir();
    }

    @AfterAll
    void removeCertificates() throws Exception {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** A node's configuration from {@code json} (the whole file) and the usual test settings. */
    private HeraldConfig load(String json) throws Exception {
        Path file = Files.createTempFile(dir, "herald", ".json");
        Files.writeString(file, json);
        Map<String, String> env = new HashMap<>(Map.of("HOST", "127.0.0.1", "PORT", "0", "METRICS_ENABLED", "false",
                "INSTANCE_PROCESS_ID", "tls-node-" + UUID.randomUUID()));
        return ConfigLoader.load(file, env, dir);
    }

    /** Two nodes of {@code json}: a publish through the first reaches a subscriber of the second. */
    private void publishCrossesNodes(String json) throws Exception {
        HeraldConfig config = load(json);
        try (Herald a = Herald.start(config);
             Herald b = Herald.start(load(json));
             WsClient subscriber = new WsClient("subscriber", TestServers.APP_KEY, b.port(), null).connect()) {
            subscriber.subscribe("over-tls");
            com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY,
                    TestServers.APP_SECRET);
            rest.setHost("127.0.0.1:" + a.port());
            assertThat(rest.trigger("over-tls", "crossed", Map.of("via", config.adapter().driver())).getHttpStatus())
                    .isEqualTo(200);
            subscriber.awaitEvent("over-tls", "crossed");
        }
    }

    /**
     * The start-up error of whichever redis-backed part connects first (the webhook queue, the
     * adapter, the cache or the rate limiter: each names itself), about {@code where}.
     */
    private static String firstPart(String where) {
        return "(adapter|cache|queue|rate_limiter)\\.driver redis: cannot connect to " + Pattern.quote(where) + ".*";
    }

    private static String prefix() {
        return "herald_tls_" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    private static String json(String text) {
        return text.replace('\'', '"');
    }

    /** Item 14: the password is percent-encoded into the URL built from database.redis.{host,port,password}. */
    @Test
    void aPasswordWithAtHashAndSlashFromDatabaseRedisConnects() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(List.of("--requirepass", AWKWARD_PASSWORD))) {
            String block = json("{'adapter': {'driver': 'redis', 'redis': {'prefix': '" + prefix() + "'}},"
                    + " 'cache': {'driver': 'redis'},"
                    + " 'database': {'redis': {'host': '127.0.0.1', 'port': " + redis.port() + ", 'password': '"
                    + AWKWARD_PASSWORD + "'}}}");
            publishCrossesNodes(block);

            String wrong = block.replace(AWKWARD_PASSWORD, "p@ss#w0rd/y");
            assertThatThrownBy(() -> Herald.start(load(wrong)).close())
                    .hasMessageMatching(firstPart("redis://127.0.0.1:" + redis.port() + "/0: authentication failed"))
                    .hasMessageNotContaining("p@ss").hasMessageNotContaining("w0rd")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    /** Item 15: rediss:// with a password, the server's certificate signed by a CA only this config trusts. */
    @Test
    void twoNodesOverRedisWithTlsAndAPassword() throws Exception {
        try (PrivateRedis redis = PrivateRedis.startTls(tls, List.of("--requirepass", AWKWARD_PASSWORD))) {
            String url = "rediss://:" + AWKWARD_PASSWORD.replace("@", "%40").replace("#", "%23").replace("/", "%2F")
                    + "@127.0.0.1:" + redis.port();
            String block = json("{'adapter': {'driver': 'redis', 'redis': {'prefix': '" + prefix() + "'}},"
                    + " 'cache': {'driver': 'redis'}, 'queue': {'driver': 'redis'},"
                    + " 'rate_limiter': {'enabled': true, 'driver': 'redis'},"
                    + " 'database': {'redis': {'url_override': '" + url + "', 'master_tls': {'ca_path': '"
                    + tls.caCertificate() + "'}}}}");
            publishCrossesNodes(block);

            // Without the CA the JVM does not trust the server: one line naming the backend and host.
            String untrusted = block.replace(", 'master_tls': {'ca_path': '".replace('\'', '"') + tls.caCertificate() + "\"}", "");
            assertThatThrownBy(() -> Herald.start(load(untrusted)).close())
                    .hasMessageMatching(firstPart("rediss://127.0.0.1:" + redis.port() + ": "))
                    .hasMessageContaining("PKIX path building failed")
                    .hasMessageNotContaining("w0rd")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            // Over TLS a wrong password is refused like on a plain connection.
            String wrong = block.replace("w0rd%2Fx", "w0rd%2Fy");
            assertThatThrownBy(() -> Herald.start(load(wrong)).close())
                    .hasMessageMatching(firstPart("rediss://127.0.0.1:" + redis.port() + ": authentication failed"))
                    .hasMessageNotContaining("w0rd");
        }
    }

    /** Item 15: tls:// with a token; the server does not ask for client certificates. */
    @Test
    void twoNodesOverNatsWithTlsAndAToken() throws Exception {
        try (PrivateNats nats = PrivateNats.start("--tls", "--tlscert", tls.serverCertificate().toString(),
                "--tlskey", tls.serverKey().toString(), "--auth", NATS_TOKEN)) {
            String block = json("{'adapter': {'driver': 'nats', 'nats': {'servers': ['tls://127.0.0.1:" + nats.port() + "'],"
                    + " 'prefix': '" + prefix() + "', 'token': '" + NATS_TOKEN + "', 'tls_ca_path': '"
                    + tls.caCertificate() + "',"
                    // The suite's parallel load once held a first TLS handshake past the 5 s default.
                    + " 'connection_timeout_ms': 30000}}}");
            publishCrossesNodes(block);

            String wrong = block.replace(NATS_TOKEN, "not-the-token");
            assertThatThrownBy(() -> Herald.start(load(wrong)).close())
                    .hasMessageStartingWith("adapter.driver nats: cannot connect to tls://127.0.0.1:" + nats.port())
                    .hasMessageContaining("Authorization Violation")
                    .hasMessageNotContaining("not-the-token")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            String untrusted = block.replace(", 'tls_ca_path': '".replace('\'', '"') + tls.caCertificate() + "\"", "");
            assertThatThrownBy(() -> Herald.start(load(untrusted)).close())
                    .hasMessageStartingWith("adapter.driver nats: cannot connect to tls://127.0.0.1:" + nats.port())
                    .hasMessageNotContaining(NATS_TOKEN);
        }
    }
}
