package io.herald.config;

import io.herald.app.App;
import java.util.List;

/**
 * The whole server configuration, validated and sealed. Built by {@link ConfigLoader} from
 * defaults, the JSON file(s) and the environment, in that order (Sockudo's keys and variables).
 */
public record HeraldConfig(
        boolean debug,
        String host,
        int port,
        int activityTimeoutSeconds,
        int pongTimeoutSeconds,
        int shutdownGracePeriodSeconds,
        int userAuthenticationTimeoutSeconds,
        int websocketMaxPayloadKb,
        int httpMaxBodyKb,
        String processId,
        AdapterConfig adapter,
        AppManagerConfig appManager,
        CacheConfig cache,
        SslConfig ssl,
        CorsConfig cors,
        RateLimiterConfig rateLimiter) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 6001;

    /**
     * {@code adapter.*}: which cluster driver carries events between nodes, resolved for that
     * driver. {@code servers} are the Redis URLs (redis: publish then subscribe connection;
     * redis-cluster: the seed nodes) or NATS servers; {@code prefix} starts every channel or subject
     * name, so several Herald clusters can share one backend.
     */
    public record AdapterConfig(String driver, List<String> servers, String prefix, int requestTimeoutMillis,
                                int connectionTimeoutMillis, String username, String password, String token) {
        public AdapterConfig {
            servers = List.copyOf(servers);
        }

        public static AdapterConfig local() {
            return new AdapterConfig("local", List.of(), "", 5000, 5000, null, null, null);
        }
    }

    /** `app_manager.*`: where apps come from; `apps` is the memory (array) driver's list. */
    public record AppManagerConfig(String driver, List<App> apps, boolean cacheEnabled, int cacheTtlSeconds) {
        public AppManagerConfig {
            apps = List.copyOf(apps);
        }
    }

    /**
     * {@code cache.*}: where cache channels keep their last event. {@code driver} is memory,
     * redis or none; events are kept {@code ttlSeconds}; the memory driver holds at most
     * {@code maxCapacity} channels; the redis driver uses {@code redisUrl} and {@code redisPrefix}.
     */
    public record CacheConfig(String driver, int ttlSeconds, long maxCapacity, String redisUrl, String redisPrefix) {
        public static CacheConfig memory() {
            return new CacheConfig("memory", 300, 10_000, "redis://127.0.0.1:6379/0", "sockudo_cache:");
        }
    }

    /** {@code ssl.*}: TLS on the main port from PEM files; optionally a plain port that redirects to it. */
    public record SslConfig(boolean enabled, String certPath, String keyPath, boolean redirectHttp, int httpPort) {
        public static SslConfig off() {
            return new SslConfig(false, null, null, false, 80);
        }
    }

    /** {@code cors.*}: the CORS headers of the HTTP API. */
    public record CorsConfig(List<String> origins, List<String> methods, List<String> allowedHeaders, boolean credentials) {
        public CorsConfig {
            origins = List.copyOf(origins);
            methods = List.copyOf(methods);
            allowedHeaders = List.copyOf(allowedHeaders);
        }

        public static CorsConfig defaults() {
            return new CorsConfig(List.of("*"), List.of("GET", "POST", "OPTIONS"),
                    List.of("Authorization", "Content-Type", "X-Requested-With", "Accept"), false);
        }
    }

    /**
     * {@code rate_limiter.*}: requests per client IP and window, for the HTTP API and for WebSocket
     * upgrades. {@code trustForwardedFor} makes the client IP the first X-Forwarded-For address.
     */
    public record RateLimiterConfig(boolean enabled, String driver, int apiMaxRequests, int apiWindowSeconds,
                                    int websocketMaxRequests, int websocketWindowSeconds, String redisUrl,
                                    String redisPrefix, boolean trustForwardedFor) {
        public static RateLimiterConfig off() {
            return new RateLimiterConfig(false, "memory", 100, 60, 20, 60, "redis://127.0.0.1:6379/0", "sockudo_rl:", false);
        }
    }

    public int websocketMaxPayloadBytes() {
        return websocketMaxPayloadKb * 1024;
    }

    public int httpMaxBodyBytes() {
        return httpMaxBodyKb * 1024;
    }

    /** Same configuration on another port (tests bind port 0 and read the real one back). */
    public HeraldConfig withPort(int newPort) {
        return new HeraldConfig(debug, host, newPort, activityTimeoutSeconds, pongTimeoutSeconds,
                shutdownGracePeriodSeconds, userAuthenticationTimeoutSeconds, websocketMaxPayloadKb,
                httpMaxBodyKb, processId, adapter, appManager, cache, ssl, cors, rateLimiter);
    }
}
