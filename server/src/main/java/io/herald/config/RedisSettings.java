package io.herald.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the redis-backed parts (adapter, cache, queue, rate limiter) find Redis: their own URL,
 * else the shared one Sockudo configures in {@code database.redis} and its variables; on a Redis
 * Cluster their own seed nodes, else the shared ones.
 */
final class RedisSettings {

    static final String DEFAULT_CLUSTER_SEED = "redis://127.0.0.1:7000";

    private RedisSettings() {}

    /**
     * The Redis of a part: {@code REDIS_URL} (which, as in Sockudo, overrides every part's URL),
     * else its own {@code url_override} (ownUrlKey), else {@code database.redis.url_override}, else {@code database.redis} host, port, username,
     * password and db (and {@code master_tls.enabled} for TLS), with their {@code DATABASE_REDIS_*}
     * variables.
     */
    static String url(ConfigTree tree, String ownUrlKey) {
        String own = ownUrlKey == null ? null : tree.string(ownUrlKey, "REDIS_URL", null);
        if (own != null) {
            return own;
        }
        String shared = tree.string("database.redis.url_override", "REDIS_URL", null);
        if (shared != null) {
            return shared;
        }
        String host = tree.string("database.redis.host", "DATABASE_REDIS_HOST", "127.0.0.1");
        int port = tree.integer("database.redis.port", "DATABASE_REDIS_PORT", 6379, 1, 65535);
        int db = tree.integer("database.redis.db", "DATABASE_REDIS_DB", 0, 0, Integer.MAX_VALUE);
        boolean tls = tree.bool("database.redis.master_tls.enabled", "DATABASE_REDIS_MASTER_TLS_ENABLED", false);
        // Sockudo lets the host carry the scheme: rediss:// there asks for TLS too.
        if (host.startsWith("rediss://") || host.startsWith("redis://")) {
            tls |= host.startsWith("rediss://");
            host = host.substring(host.indexOf("://") + 3);
        }
        String user = tree.string("database.redis.username", "DATABASE_REDIS_USERNAME", null);
        String password = tree.optionalString("database.redis.password", "DATABASE_REDIS_PASSWORD");
        return (tls ? "rediss://" : "redis://") + credentials(user, password) + bracketed(host) + ":" + port + "/" + db;
    }

    /**
     * Seed nodes of a part's Redis Cluster: its own list (ownNodesKey), else
     * {@code REDIS_CLUSTER_NODES} / {@code DATABASE_REDIS_CLUSTER_NODES} (the second wins, as in
     * Sockudo), else {@code adapter.cluster.nodes}, else {@code database.redis.cluster.nodes} (or
     * the older {@code database.redis.cluster_nodes}). Seeds without a scheme get one, and the
     * cluster's credentials when they carry none.
     */
    static List<String> clusterNodes(ConfigTree tree, String ownNodesKey) {
        List<String> seeds = ownNodesKey == null ? List.of() : tree.stringList(ownNodesKey, null, List.of());
        if (seeds.isEmpty()) {
            String sharedVar = tree.env("DATABASE_REDIS_CLUSTER_NODES") != null ? "DATABASE_REDIS_CLUSTER_NODES"
                    : "REDIS_CLUSTER_NODES";
            seeds = tree.stringList("adapter.cluster.nodes", sharedVar, List.of());
        }
        if (seeds.isEmpty()) {
            seeds = hostPortList(tree, tree.node("database.redis.cluster.nodes") != null
                    ? "database.redis.cluster.nodes" : "database.redis.cluster_nodes");
        }
        if (seeds.isEmpty()) {
            return List.of(DEFAULT_CLUSTER_SEED);
        }
        String user = tree.string("database.redis.cluster.username", "DATABASE_REDIS_CLUSTER_USERNAME",
                tree.string("database.redis.username", "DATABASE_REDIS_USERNAME", null));
        String password = tree.optionalString("database.redis.cluster.password", "DATABASE_REDIS_CLUSTER_PASSWORD");
        if (password == null) {
            password = tree.optionalString("database.redis.password", "DATABASE_REDIS_PASSWORD");
        }
        boolean tls = tree.bool("database.redis.cluster.use_tls", "DATABASE_REDIS_CLUSTER_USE_TLS", false)
                || tree.bool("database.redis.master_tls.enabled", "DATABASE_REDIS_MASTER_TLS_ENABLED", false);
        List<String> normalized = new ArrayList<>();
        for (String seed : seeds) {
            normalized.add(seed(seed.trim(), user, password, tls));
        }
        return normalized;
    }

    /** Sockudo's {@code [{"host": ..., "port": ...}]} seed list (host 127.0.0.1 and port 7000 by default). */
    private static List<String> hostPortList(ConfigTree tree, String key) {
        var list = tree.node(key);
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            throw ConfigException.expected(key, "a list of {\"host\", \"port\"} objects", JsonValues.describe(list))
                    .in(tree.sourceOf(key));
        }
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            var node = list.get(i);
            if (!node.isObject()) {
                throw ConfigException.expected(at, "an object with host and port", JsonValues.describe(node)).in(tree.sourceOf(key));
            }
            String host = node.hasNonNull("host") ? JsonValues.nonEmptyString(node.get("host"), at + ".host") : "127.0.0.1";
            int port = node.hasNonNull("port") ? JsonValues.integer(node.get("port"), at + ".port", 1, 65535) : 7000;
            seeds.add(host.contains("://") ? host : host + ":" + port);
        }
        return seeds;
    }

    private static String seed(String seed, String user, String password, boolean tls) {
        String withScheme = seed.contains("://") ? seed : (tls ? "rediss://" : "redis://") + seed;
        int start = withScheme.indexOf("://") + 3;
        if (withScheme.indexOf('@', start) >= 0 || password == null && user == null) {
            return withScheme;
        }
        return withScheme.substring(0, start) + credentials(user, password) + withScheme.substring(start);
    }

    /**
     * {@code user:password@}, {@code :password@} or nothing. Percent-encoded: '@', '#', '/' or ':'
     * in a password must not change where the URL points.
     */
    private static String credentials(String user, String password) {
        if (password == null && user == null) {
            return "";
        }
        return (user == null ? "" : encode(user)) + (password == null ? "" : ":" + encode(password)) + "@";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String bracketed(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Where a redis-backed part with this driver connects: {@code block.url_override} (or cluster mode), or cluster seeds. */
    static HeraldConfig.RedisEndpoint endpoint(ConfigTree tree, String driver, String block, String ownNodesKey) {
        if (driver.equals("redis-cluster")) {
            return new HeraldConfig.RedisEndpoint.Cluster(clusterNodes(tree, ownNodesKey));
        }
        String url = url(tree, block + ".url_override");
        return tree.bool(block + ".cluster_mode", null, false)
                ? new HeraldConfig.RedisEndpoint.Cluster(List.of(url))
                : new HeraldConfig.RedisEndpoint.Standalone(url);
    }
}
