package io.herald.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What faces the clients: {@code ssl}, {@code cors}, {@code rate_limiter} and the HTTP body limit. */
final class EdgeSettings {

    static final List<String> RATE_LIMITER_DRIVERS = List.of("memory", "redis", "redis-cluster");
    /** Sockudo's rate limiter drivers (its cache drivers): {@code none} counts in memory there, with a warning. */
    static final List<String> SOCKUDO_RATE_LIMITER_DRIVERS = List.of("memory", "redis", "redis-cluster", "none");

    private EdgeSettings() {}

    static HeraldConfig.SslConfig ssl(ConfigTree tree) {
        boolean enabled = tree.bool("ssl.enabled", "SSL_ENABLED", false);
        String cert = tree.string("ssl.cert_path", "SSL_CERT_PATH", null);
        String key = tree.string("ssl.key_path", "SSL_KEY_PATH", null);
        if (enabled) {
            requireReadable(tree, "ssl.cert_path", "SSL_CERT_PATH", cert);
            requireReadable(tree, "ssl.key_path", "SSL_KEY_PATH", key);
        }
        return new HeraldConfig.SslConfig(enabled, cert, key, tree.bool("ssl.redirect_http", "SSL_REDIRECT_HTTP", false),
                tree.integer("ssl.http_port", "SSL_HTTP_PORT", 80, 1, 65535));
    }

    private static void requireReadable(ConfigTree tree, String key, String envVar, String path) {
        if (path == null) {
            throw new ConfigException(tree.nameOf(key, envVar) + ": required when ssl.enabled is true (a PEM file)");
        }
        if (!Files.isReadable(Path.of(path))) {
            throw tree.invalidHere(key, envVar, new ConfigException(tree.nameOf(key, envVar) + ": cannot read " + path));
        }
    }

    static HeraldConfig.CorsConfig cors(ConfigTree tree) {
        HeraldConfig.CorsConfig defaults = HeraldConfig.CorsConfig.defaults();
        return new HeraldConfig.CorsConfig(
                tree.stringList("cors.origin", "CORS_ORIGINS", defaults.origins()),
                tree.stringList("cors.methods", "CORS_METHODS", defaults.methods()),
                tree.stringList("cors.allowed_headers", "CORS_HEADERS", defaults.allowedHeaders()),
                tree.bool("cors.credentials", "CORS_CREDENTIALS", defaults.credentials()));
    }

    static HeraldConfig.RateLimiterConfig rateLimiter(ConfigTree tree) {
        HeraldConfig.RateLimiterConfig off = HeraldConfig.RateLimiterConfig.off();
        String driver = tree.driver("rate_limiter.driver", "RATE_LIMITER_DRIVER", "memory", SOCKUDO_RATE_LIMITER_DRIVERS,
                SOCKUDO_RATE_LIMITER_DRIVERS);
        if (driver.equals("none")) {
            tree.notes().warn(tree.nameOf("rate_limiter.driver", "RATE_LIMITER_DRIVER")
                    + " none counts in this node's memory, as in Sockudo");
            driver = "memory";
        }
        boolean cluster = driver.equals("redis-cluster");
        HeraldConfig.RateLimiterBackend backend = driver.equals("memory") ? new HeraldConfig.RateLimiterBackend.Memory()
                : new HeraldConfig.RateLimiterBackend.Redis(
                        RedisSettings.endpoint(tree, driver, "rate_limiter.redis", "rate_limiter.redis_cluster.nodes"),
                        tree.string(cluster ? "rate_limiter.redis_cluster.prefix" : "rate_limiter.redis.prefix",
                                cluster ? null : "RATE_LIMITER_REDIS_PREFIX", "sockudo_rl:"));
        return new HeraldConfig.RateLimiterConfig(
                tree.bool("rate_limiter.enabled", "RATE_LIMITER_ENABLED", off.enabled()),
                backend,
                tree.integer("rate_limiter.api_rate_limit.max_requests", "RATE_LIMITER_API_MAX_REQUESTS", off.apiMaxRequests(),
                        1, Integer.MAX_VALUE),
                tree.integer("rate_limiter.api_rate_limit.window_seconds", "RATE_LIMITER_API_WINDOW_SECONDS",
                        off.apiWindowSeconds(), 1, Integer.MAX_VALUE),
                tree.integer("rate_limiter.websocket_rate_limit.max_requests", "RATE_LIMITER_WS_MAX_REQUESTS",
                        off.websocketMaxRequests(), 1, Integer.MAX_VALUE),
                tree.integer("rate_limiter.websocket_rate_limit.window_seconds", "RATE_LIMITER_WS_WINDOW_SECONDS",
                        off.websocketWindowSeconds(), 1, Integer.MAX_VALUE),
                tree.bool("rate_limiter.trust_forwarded_for", null, off.trustForwardedFor()),
                tree.integer("rate_limiter.api_rate_limit.trust_hops", "RATE_LIMITER_API_TRUST_HOPS", 0, 0, 100),
                tree.integer("rate_limiter.websocket_rate_limit.trust_hops", "RATE_LIMITER_WS_TRUST_HOPS", 0, 0, 100));
    }

    /**
     * The largest HTTP API body: Herald's {@code http_max_body_kb}, or Sockudo's
     * {@code http_api.request_limit_in_mb}, not both.
     */
    static int httpMaxBodyKb(ConfigTree tree) {
        if (tree.isSet("http_api.request_limit_in_mb", null)) {
            if (tree.isSet("http_max_body_kb", "HTTP_MAX_BODY_KB")) {
                throw new ConfigException("http_max_body_kb and http_api.request_limit_in_mb both set the largest HTTP body;"
                        + " give one").in(tree.sourceOf("http_api.request_limit_in_mb"));
            }
            return tree.integer("http_api.request_limit_in_mb", null, 2, 1, 64) * 1024;
        }
        return tree.integer("http_max_body_kb", "HTTP_MAX_BODY_KB", 2048, 1, 65536);
    }
}
