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
        CacheConfig cache) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 6001;

    /** `adapter.*`: which cluster driver carries events between nodes. */
    public record AdapterConfig(String driver) {}

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
                httpMaxBodyKb, processId, adapter, appManager, cache);
    }
}
