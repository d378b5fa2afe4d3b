package io.herald.ratelimit;

import io.lettuce.core.ClientOptions;
import io.herald.redis.LettuceClients;
import io.herald.redis.LuaScript;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts shared by every node ({@code rate_limiter.driver: redis}): one key per window,
 * {@code {prefix}{key}} (the callers' keys are {@code {scope}:{ip}}), INCR on every hit and
 * PEXPIRE on the first. Both run in one script, so a key can never be left without its expiry.
 * When Redis fails or is slow, the hit is allowed and a warning is logged at most once a minute.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
    /** A limiter that waits longer than this for Redis allows the hit. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Returns {hits in the window, milliseconds until the window ends}. */
    private static final LuaScript SCRIPT = new LuaScript("""
            local hits = redis.call('INCR', KEYS[1])
            local ttl = redis.call('PTTL', KEYS[1])
            if hits == 1 or ttl < 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
              ttl = tonumber(ARGV[1])
            end
            return {hits, ttl}
            """);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String prefix;
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong failuresSinceWarning = new AtomicLong();

    public RedisRateLimiter(LettuceClients lettuce, String url, String prefix) {
        this.client = lettuce.standalone(url);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS) // fail fast, then allow
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        try {
            this.connection = client.connect(StringCodec.UTF8);
            connection.sync().ping();
        } catch (RuntimeException e) {
            client.shutdown();
            throw new IllegalStateException("rate_limiter.driver redis: cannot connect to " + url + ": " + e.getMessage(), e);
        }
        this.redis = connection.async();
        this.prefix = prefix;
    }

    @Override
    public CompletableFuture<Decision> tryAcquire(String key, int max, int windowSeconds) {
        String[] keys = {prefix + key};
        String windowMillis = Long.toString(TimeUnit.SECONDS.toMillis(windowSeconds));
        return SCRIPT.<List<Object>>run(redis, ScriptOutputType.MULTI, keys, windowMillis)
                .handle((result, error) -> {
                    if (error != null) {
                        warn(key, error);
                        return Decision.ALLOWED;
                    }
                    long hits = (Long) result.get(0);
                    long millisLeft = (Long) result.get(1);
                    return hits <= max ? Decision.ALLOWED : Decision.refused(millisLeft);
                });
    }

    private void warn(String key, Throwable error) {
        long failures = failuresSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWarningNanos.get();
        if (now - last >= LOG_EVERY_NANOS && lastWarningNanos.compareAndSet(last, now)) {
            failuresSinceWarning.addAndGet(-failures);
            log.warn("rate limiter: Redis failed ({} time(s) since the last warning), allowing the requests meanwhile; "
                    + "latest: key {}: {}", failures, prefix + key, error.toString());
        }
    }

    @Override
    public boolean isHealthy() {
        return connection.isOpen();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
