package io.herald.config;

import java.util.List;

/** {@code cache.*}: where cache channels keep their last event. */
final class CacheSettings {

    static final List<String> DRIVERS = List.of("memory", "redis", "redis-cluster", "none");

    private CacheSettings() {}

    static HeraldConfig.CacheConfig read(ConfigTree tree) {
        String driver = tree.driver("cache.driver", "CACHE_DRIVER", "memory", DRIVERS, DRIVERS);
        int ttl = tree.integer("cache.memory.ttl", "CACHE_TTL_SECONDS", 300, 1, Integer.MAX_VALUE);
        String prefix = tree.string(driver.equals("redis-cluster") ? "cache.redis_cluster.prefix" : "cache.redis.prefix",
                null, "sockudo_cache:");
        return switch (driver) {
            case "redis", "redis-cluster" -> new HeraldConfig.CacheConfig.Redis(
                    RedisSettings.endpoint(tree, driver, "cache.redis", "cache.redis_cluster.nodes"), prefix, ttl);
            case "none" -> new HeraldConfig.CacheConfig.None();
            default -> new HeraldConfig.CacheConfig.Memory(ttl,
                    tree.integer("cache.memory.max_capacity", "CACHE_MAX_CAPACITY", 10_000, 1, Integer.MAX_VALUE));
        };
    }
}
