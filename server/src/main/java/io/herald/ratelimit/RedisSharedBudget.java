package io.herald.ratelimit;

import io.herald.logs.EveryMinute;
import io.herald.config.HeraldConfig.RedisEndpoint;
import io.herald.redis.LettuceClients;
import io.herald.redis.LuaScript;
import io.herald.redis.RedisConnection;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SharedBudget} in Redis or a Redis Cluster: one key per app, kind and second,
 * {@code {prefix}app:{app}:{kind}:{second}}, holding what the nodes took; a script grants what is
 * left, atomically, and the key expires two seconds later.
 */
public final class RedisSharedBudget implements SharedBudget {
    private static final Logger log = LoggerFactory.getLogger(RedisSharedBudget.class);
    /** A request waits this long at most; then the node counts on its own for that second. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(250);
    private static final int MAX_QUEUED_COMMANDS = 10_000;
    /** Grants min(ARGV[1], ARGV[2] - taken) and adds it to what was taken. */
    private static final LuaScript TAKE = new LuaScript("""
            local taken = tonumber(redis.call('GET', KEYS[1]) or '0')
            local grant = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - taken)
            if grant <= 0 then
              return 0
            end
            redis.call('INCRBY', KEYS[1], grant)
            redis.call('PEXPIRE', KEYS[1], 2000)
            return grant
            """);

    private final RedisConnection<String, String> connection;
    private final String prefix;
    private final EveryMinute warnings = new EveryMinute();

    /** {@code part} names the configuration whose Redis this is, for the error message ({@code adapter.driver}). */
    public RedisSharedBudget(LettuceClients lettuce, RedisEndpoint endpoint, String prefix, String part) {
        this.connection = RedisConnection.open(lettuce, endpoint, StringCodec.UTF8,
                new RedisConnection.Options(COMMAND_TIMEOUT, MAX_QUEUED_COMMANDS, true), part);
        this.prefix = prefix;
    }

    @Override
    public CompletableFuture<Integer> take(String key, long second, int wanted, int max) {
        String[] keys = {prefix + "app:" + key + ":" + second};
        return TAKE.<Long>run(connection.commands(), ScriptOutputType.INTEGER, keys, Integer.toString(wanted), Integer.toString(max))
                .thenApply(Long::intValue)
                .whenComplete((granted, error) -> {
                    if (error != null) {
                        warn(key, error);
                    }
                });
    }

    private void warn(String key, Throwable error) {
        if (warnings.due(this) >= 0) {
            log.warn("per-app limits: {} failed ({}); each node counts on its own meanwhile (logged at most once a minute)",
                    describe(), error.toString());
        }
    }

    @Override
    public boolean isAvailable() {
        return connection.isOpen();
    }

    @Override
    public boolean probe(Duration timeout) {
        return connection.ping(timeout);
    }

    @Override
    public String describe() {
        return connection.describe();
    }

    @Override
    public void close() {
        connection.close();
    }
}
