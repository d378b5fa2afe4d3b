package io.herald.webhooks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/** Counts the jobs a test's redis queue holds in Redis, in every endpoint's line (waiting, held or delayed). */
final class RedisQueueProbe implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String prefix;

    RedisQueueProbe(String redisUrl, String prefix) {
        this.client = RedisClient.create(redisUrl);
        this.connection = client.connect();
        this.prefix = prefix;
    }

    long jobs() {
        RedisCommands<String, String> redis = connection.sync();
        long jobs = 0;
        for (String key : redis.keys(prefix + "*:jobs")) {
            jobs += redis.xlen(key);
        }
        for (String key : redis.keys(prefix + "*:delayed")) {
            jobs += redis.zcard(key);
        }
        return jobs;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
