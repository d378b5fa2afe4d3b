package io.herald.cache;

import io.herald.redis.LettuceClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache channels shared by every node ({@code cache.driver: redis}): one key per channel,
 * {@code {prefix}{app}:{channel}}, written with {@code SET ... PX ttl}.
 */
public final class RedisChannelCache implements ChannelCache {
    private static final Logger log = LoggerFactory.getLogger(RedisChannelCache.class);

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final String prefix;
    private final long ttlMillis;

    public RedisChannelCache(LettuceClients lettuce, String url, String prefix, int ttlSeconds) {
        this.client = lettuce.standalone(url);
        try {
            this.connection = client.connect(ByteArrayCodec.INSTANCE);
        } catch (RuntimeException e) {
            client.shutdown();
            throw new IllegalStateException("cache.driver redis: cannot connect to " + url + ": " + e.getMessage(), e);
        }
        this.redis = connection.async();
        this.prefix = prefix;
        this.ttlMillis = ttlSeconds * 1000L;
    }

    @Override
    public void put(String appId, String channel, byte[] message) {
        redis.set(key(appId, channel), message, SetArgs.Builder.px(ttlMillis)).exceptionally(error -> {
            log.warn("could not cache the last event of {} (app {}) in Redis: {}", channel, appId, error.toString());
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<CachedEvent>> get(String appId, String channel) {
        byte[] key = key(appId, channel);
        // Both commands go out together on the one connection; Redis answers them in order.
        RedisFuture<byte[]> value = redis.get(key);
        RedisFuture<Long> ttl = redis.pttl(key);
        return value.toCompletableFuture().thenCombine(ttl, (message, millis) -> message == null
                        ? Optional.<CachedEvent>empty()
                        : Optional.of(new CachedEvent(message, Math.max(0, millis))))
                .exceptionally(error -> {
                    log.warn("could not read the cached event of {} (app {}) from Redis: {}", channel, appId, error.toString());
                    return Optional.empty();
                });
    }

    @Override
    public boolean isHealthy() {
        return connection.isOpen();
    }

    private byte[] key(String appId, String channel) {
        return (prefix + appId + ":" + channel).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
