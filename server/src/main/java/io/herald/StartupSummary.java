package io.herald;

import io.herald.config.HeraldConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a node connected to, one entry per part, for the start-up log: an operator must see which
 * Redis (or NATS, or database) each part uses. Addresses only: never a user or a password.
 */
final class StartupSummary {

    private StartupSummary() {}

    /** The backends of the parts this configuration chose, in a fixed order. */
    static List<String> backends(HeraldConfig config) {
        List<String> parts = new ArrayList<>();
        parts.add("adapter " + adapter(config.adapter()));
        parts.add("apps " + apps(config.appManager()));
        parts.add("cache " + cache(config.cache()));
        parts.add("webhook queue " + queue(config.queue()));
        parts.add("rate limiter " + rateLimiter(config.rateLimiter()));
        return parts;
    }

    private static String adapter(HeraldConfig.AdapterConfig adapter) {
        if (adapter instanceof HeraldConfig.AdapterConfig.Redis redis) {
            String publish = address(redis.publishUrl());
            String subscribe = address(redis.subscribeUrl());
            return "redis at " + publish + (publish.equals(subscribe) ? "" : " (subscribing at " + subscribe + ")");
        }
        if (adapter instanceof HeraldConfig.AdapterConfig.RedisCluster cluster) {
            return "redis-cluster at " + addresses(cluster.nodes());
        }
        if (adapter instanceof HeraldConfig.AdapterConfig.Nats nats) {
            return "nats at " + addresses(nats.servers());
        }
        return "local (one node)";
    }

    private static String apps(HeraldConfig.AppManagerConfig apps) {
        if (apps instanceof HeraldConfig.AppManagerConfig.Database database) {
            HeraldConfig.SqlDatabase db = database.database();
            return database.driver() + " at " + db.host() + ":" + db.port() + ", database " + db.database() + ", table "
                    + db.tableName();
        }
        int count = ((HeraldConfig.AppManagerConfig.Memory) apps).apps().size();
        return "memory (" + count + (count == 1 ? " app)" : " apps)");
    }

    private static String cache(HeraldConfig.CacheConfig cache) {
        return cache instanceof HeraldConfig.CacheConfig.Redis redis ? endpoint(redis.redis()) : cache.driver();
    }

    private static String queue(HeraldConfig.QueueConfig queue) {
        return queue.driver().startsWith("redis") ? endpoint(queue.redisEndpoint())
                : queue.driver() + (queue.driver().equals("none") ? " (webhooks off)" : "");
    }

    private static String rateLimiter(HeraldConfig.RateLimiterConfig limiter) {
        if (!limiter.enabled()) {
            return "off";
        }
        return limiter.backend() instanceof HeraldConfig.RateLimiterBackend.Redis redis ? endpoint(redis.redis()) : "memory";
    }

    private static String endpoint(HeraldConfig.RedisEndpoint endpoint) {
        if (endpoint instanceof HeraldConfig.RedisEndpoint.Cluster cluster) {
            return "redis-cluster at " + addresses(cluster.seeds());
        }
        return "redis at " + address(((HeraldConfig.RedisEndpoint.Standalone) endpoint).url());
    }

    private static String addresses(List<String> urls) {
        return urls.stream().map(StartupSummary::address).collect(Collectors.joining(", "));
    }

    /**
     * {@code host:port} of a URL (with its database, and TLS when it has it); the user and password
     * are left out. Text that is not a URL is shown without anything before an '@'.
     */
    static String address(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(url);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme();
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "" : " db " + uri.getPath().substring(1);
            String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
            return (uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost()) + port + db
                    + (scheme.equals("rediss") || scheme.equals("tls") ? " (TLS)" : "");
        } catch (IllegalArgumentException e) {
            return url.substring(url.lastIndexOf('@') + 1);
        }
    }
}
