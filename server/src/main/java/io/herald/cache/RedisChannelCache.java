package io.herald.cache;

import io.herald.config.HeraldConfig.RedisEndpoint;
import io.herald.redis.LettuceClients;
import io.herald.redis.RedisConnection;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache channels shared by every node ({@code cache.driver: redis} or {@code redis-cluster}): one
 * key per channel, {@code {prefix}{app}:{channel}}, written with {@code SET ... PX ttl}. While
 * Redis is unreachable, writes and reads fail at once (a subscriber gets {@code pusher:cache_miss})
 * rather than waiting in memory.
 */
public final class RedisChannelCache implements ChannelCache {
    private static final Logger log = LoggerFactory.getLogger(RedisChannelCache.class);

    /** A cached event is worth little once late: a subscriber waits at most this long for it. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_QUEUED_COMMANDS = 10_000;

    private final RedisConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> redis;
    private final String prefix;
    private final long ttlMillis;

    public RedisChannelCache(LettuceClients lettuce, RedisEndpoint endpoint, String prefix, int ttlSeconds) {
        this.connection = RedisConnection.open(lettuce, endpoint, ByteArrayCodec.INSTANCE,
                new RedisConnection.Options(COMMAND_TIMEOUT, MAX_QUEUED_COMMANDS, true), "cache.driver");
        this.redis = connection.commands();
        this.prefix = prefix;
        this.ttlMillis = ttlSeconds * 1000L;
    }

    @Override
    public CompletableFuture<Void> put(String appId, String channel, byte[] message) {
        return redis.set(key(appId, channel), message, SetArgs.Builder.px(ttlMillis)).toCompletableFuture()
                .<Void>thenApply(ok -> null).exceptionally(error -> {
                    log.warn("could not cache the last event of {} (app {}) in Redis: {}", channel, appId, error.toString());
                    return null;
                });
    }

    @Override
    public CompletableFuture<Optional<CachedEvent>> get(String appId, String channel) {
        byte[] key = key(appId, channel);
        // Both commands go out together (to the key's shard on a cluster); Redis answers them in order.
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

    @Override
    public boolean probe(Duration timeout) {
        return connection.ping(timeout);
    }

    private byte[] key(String appId, String channel) {
        return (prefix + appId + ":" + channel).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connection.close();
    }
}
