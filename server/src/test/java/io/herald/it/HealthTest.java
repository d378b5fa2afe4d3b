package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.testing.Poll;
import io.herald.testing.TcpProxy;
import io.herald.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readiness ({@code /up}, with Sockudo's {@code X-Health-Check}) and liveness ({@code /live}) as an
 * orchestrator reads them, while the backends come and go: Redis taken away behind a relay, or
 * left connected but silent.
 */
class HealthTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(Herald herald, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herald.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code /up} until it reports {@code state}; returns that answer. */
    private static HttpResponse<String> awaitState(Herald herald, String state) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Poll.until("/up reports " + state, Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
            last.set(get(herald, "/up"));
            return last.get().headers().firstValue("X-Health-Check").orElse("").equals(state);
        }, () -> last.get() == null ? "nothing" : last.get().statusCode() + " " + last.get().body());
        return last.get();
    }

    private static int redisPort() {
        return URI.create(TestServers.redisUrl()).getPort();
    }

    @Test
    void aRequiredBackendDownIsAnErrorButTheNodeStaysAlive() throws Exception {
        try (TcpProxy redis = TcpProxy.to(redisPort())) {
            String url = "redis://127.0.0.1:" + redis.port();
            // Round trips every second: one that fails because the cut came during it is not
            // repeated only 30 s later (the default), beyond this test's wait.
            HeraldConfig config = TestServers.withAdapter(TestServers.config(),
                    new HeraldConfig.AdapterConfig.Redis(url, url, "health_" + UUID.randomUUID() + ":", 1000), "health-1")
                    .toBuilder().healthCheck(new HeraldConfig.HealthCheckConfig(true, 1, 1)).build();
            try (Herald herald = TestServers.start(config)) {
                HttpResponse<String> ok = awaitState(herald, "OK");
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.body()).isEqualTo("OK");

                redis.cut();
                HttpResponse<String> error = awaitState(herald, "ERROR");
                assertThat(error.statusCode()).isEqualTo(503);
                // The per-app limits share the adapter's Redis: they are named too, once their connection notices.
                assertThat(error.body()).startsWith("ERROR: Cluster backend (redis) unreachable");
                HttpResponse<String> live = get(herald, "/live");
                assertThat(live.statusCode()).as("liveness ignores the backends").isEqualTo(200);
                assertThat(live.body()).isEqualTo("OK");

                redis.restore();
                assertThat(awaitState(herald, "OK").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void aConnectedButSilentBackendIsFoundByTheBackgroundCheck() throws Exception {
        try (TcpProxy redis = TcpProxy.to(redisPort())) {
            String url = "redis://127.0.0.1:" + redis.port();
            HeraldConfig config = TestServers.withAdapter(TestServers.config(),
                    new HeraldConfig.AdapterConfig.Redis(url, url, "health_" + UUID.randomUUID() + ":", 1000), "health-2")
                    .toBuilder().healthCheck(new HeraldConfig.HealthCheckConfig(true, 1, 1)).build();
            try (Herald herald = TestServers.start(config)) {
                awaitState(herald, "OK");
                redis.freeze(); // the connection stays open: only a round trip shows the silence
                assertThat(awaitState(herald, "ERROR").body()).contains("Cluster backend (redis) unreachable");
                redis.thaw();
                awaitState(herald, "OK");
            }
        }
    }

    @Test
    void anOptionalBackendDownIsDegradedAndStillReady() throws Exception {
        try (TcpProxy redis = TcpProxy.to(redisPort())) {
            HeraldConfig.RateLimiterConfig off = HeraldConfig.RateLimiterConfig.off();
            HeraldConfig.RateLimiterConfig budget = new HeraldConfig.RateLimiterConfig(false, new HeraldConfig.RateLimiterBackend.Redis(
                    new HeraldConfig.RedisEndpoint.Standalone("redis://127.0.0.1:" + redis.port()), "health_" + UUID.randomUUID() + ":"),
                    off.apiMaxRequests(), off.apiWindowSeconds(), off.websocketMaxRequests(), off.websocketWindowSeconds(), false);
            HeraldConfig config = TestServers.withAdapter(TestServers.config(), new HeraldConfig.AdapterConfig.Nats(
                    List.of(TestServers.natsUrl()), "health_" + UUID.randomUUID() + ":", 5000, 5000, null, null, null), "health-3")
                    .toBuilder().rateLimiter(budget).build();
            try (Herald herald = TestServers.start(config)) {
                awaitState(herald, "OK");
                redis.cut();
                HttpResponse<String> degraded = awaitState(herald, "DEGRADED");
                assertThat(degraded.statusCode()).isEqualTo(200);
                assertThat(degraded.body()).isEqualTo("DEGRADED: Per-app limits' Redis unreachable: each node allows its share");
            }
        }
    }
}
