package io.herald.ratelimit;

import io.herald.logs.EveryMinute;
import io.herald.config.HeraldConfig.RedisEndpoint;
import io.herald.redis.LettuceClients;
import io.herald.redis.LuaScript;
import io.herald.redis.RedisConnection;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts shared by every node ({@code rate_limiter.driver: redis} or {@code redis-cluster}): one key per window,
 * {@code {prefix}{key}} (the callers' keys are {@code {scope}:{ip}}), INCR on every hit and
 * PEXPIRE on the first. Both run in one script, so a key can never be left without its expiry.
 * When Redis fails or is slow, the hit is allowed and a warning is logged at most once a minute.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
    /** A limiter that waits longer than this for Redis allows the hit. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
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

    private static final int MAX_QUEUED_COMMANDS = 10_000;

    private final RedisConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final String prefix;
    private final EveryMinute warnings = new EveryMinute();

    public RedisRateLimiter(LettuceClients lettuce, RedisEndpoint endpoint, String prefix) {
        // Rejected at once while disconnected: fail fast, then allow.
        this.connection = RedisConnection.open(lettuce, endpoint, StringCodec.UTF8,
                new RedisConnection.Options(COMMAND_TIMEOUT, MAX_QUEUED_COMMANDS, true), "rate_limiter.driver");
        this.redis = connection.commands();
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
        long held = warnings.due(this);
        if (held >= 0) {
            long failures = held + 1;
            log.warn("rate limiter: Redis failed ({} time(s) since the last warning), allowing the requests meanwhile; "
                    + "latest: key {}: {}", failures, prefix + key, error.toString());
        }
    }

    @Override
    public boolean isHealthy() {
        return connection.isOpen();
    }

    @Override
    public boolean probe(Duration timeout) {
        return connection.ping(timeout);
    }

    @Override
    public String name() {
        return connection.describe();
    }

    @Override
    public void close() {
        connection.close();
    }
}
