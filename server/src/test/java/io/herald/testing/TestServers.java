package io.herald.testing;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.config.HeraldConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Starts real Herald servers on free loopback ports for integration tests. */
public final class TestServers {
    public static final String APP_ID = "app-id";
    public static final String APP_KEY = "app-key";
    public static final String APP_SECRET = "app-secret";

    private TestServers() {}

    /** The default app with client events enabled (most tests want them). */
    public static App defaultApp() {
        return App.builder(APP_ID, APP_KEY, APP_SECRET).enableClientMessages(true).build();
    }

    public static HeraldConfig config(App... apps) {
        return config(120, 30, apps);
    }

    public static HeraldConfig config(int activityTimeoutSeconds, int pongTimeoutSeconds, App... apps) {
        List<App> list = apps.length == 0 ? List.of(defaultApp()) : List.of(apps);
        return new HeraldConfig(false, "127.0.0.1", 0, activityTimeoutSeconds, pongTimeoutSeconds,
                2, 3600, 64, 2048, HeraldConfig.DEFAULT_MAX_CHANNELS_PER_CONNECTION,
                HeraldConfig.DEFAULT_HTTP_REQUEST_TIMEOUT_SECONDS, HeraldConfig.DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS, "test-node",
                new HeraldConfig.AdapterConfig.Local(),
                new HeraldConfig.AppManagerConfig.Memory(list),
                HeraldConfig.CacheConfig.memory(), HeraldConfig.SslConfig.off(), HeraldConfig.CorsConfig.defaults(),
                HeraldConfig.RateLimiterConfig.off(), HeraldConfig.QueueConfig.memory(), HeraldConfig.WebhooksConfig.defaults(),
                HeraldConfig.MetricsConfig.off(), HeraldConfig.HealthCheckConfig.defaults());
    }

    /** The apps of a configuration whose app manager is the memory one. */
    public static List<App> configuredApps(HeraldConfig c) {
        return ((HeraldConfig.AppManagerConfig.Memory) c.appManager()).apps();
    }

    /** The same configuration with another {@code user_authentication_timeout}. */
    public static HeraldConfig withUserAuthenticationTimeout(HeraldConfig c, int seconds) {
        return c.toBuilder().userAuthenticationTimeoutSeconds(seconds).build();
    }

    /** The same configuration with another cache-channel driver. */
    public static HeraldConfig withCache(HeraldConfig c, HeraldConfig.CacheConfig cache) {
        return c.toBuilder().cache(cache).build();
    }

    /** The same configuration with other TLS and CORS settings. */
    public static HeraldConfig withSslAndCors(HeraldConfig c, HeraldConfig.SslConfig ssl, HeraldConfig.CorsConfig cors) {
        return c.toBuilder().ssl(ssl).cors(cors).build();
    }

    /** The same configuration as one node of a cluster: another adapter and node id. */
    public static HeraldConfig withAdapter(HeraldConfig c, HeraldConfig.AdapterConfig adapter, String nodeId) {
        return c.toBuilder().adapter(adapter).processId(nodeId).build();
    }

    /** The NATS server the test script starts ({@code NATS_URL} wins). */
    public static String natsUrl() {
        String url = System.getenv("NATS_URL");
        return url == null || url.isEmpty() ? "nats://127.0.0.1:4222" : url;
    }

    /**
     * The Redis Cluster seed nodes scripts/test starts for this run, or null when it was not
     * started (a bare {@code mvn verify}); those tests are then skipped and counted as skipped.
     */
    public static List<String> redisClusterNodes() {
        String nodes = System.getenv("HERALD_TEST_REDIS_CLUSTER_NODES");
        return nodes == null || nodes.isBlank() ? null : List.of(nodes.split(","));
    }

    /** The Redis the test script starts (REDIS_URL wins, as it does for the server). */
    public static String redisUrl() {
        String url = System.getenv("REDIS_URL");
        return url == null || url.isEmpty() ? "redis://127.0.0.1:6379" : url;
    }

    /** An enabled app with client events and the given user switches; every limit at its default. */
    public static App appWithUserFeatures(String id, boolean userAuthentication, boolean watchlistEvents) {
        return App.builder(id, id + "-key", id + "-secret").enableClientMessages(true)
                .enableUserAuthentication(userAuthentication).enableWatchlistEvents(watchlistEvents).build();
    }

    /** {@code GET /up} of a node. */
    public static HttpResponse<String> up(Herald herald) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herald.port() + "/up")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code /up} (a health endpoint has nothing to wait on) until it answers {@code status}; returns the body. */
    public static String awaitUp(Herald herald, int status) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Poll.until("/up answers " + status, Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
            last.set(up(herald));
            return last.get().statusCode() == status;
        }, () -> last.get() == null ? "no answer" : last.get().statusCode() + " " + last.get().body());
        return last.get().body();
    }

    public static Herald start(App... apps) {
        return start(config(apps));
    }

    public static Herald start(HeraldConfig config) {
        try {
            return Herald.start(config);
        } catch (Exception e) {
            throw new IllegalStateException("test server failed to start", e);
        }
    }
}
