package io.herald.limits;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/** {@code rate_limiter.driver: redis} on the Redis that scripts/test runs. */
class RedisRateLimiterTest extends RedisRateLimiterContract {
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    @Override
    HeraldConfig.RedisEndpoint endpoint() {
        return new HeraldConfig.RedisEndpoint.Standalone(TestServers.redisUrl());
    }

    @Override
    RedisClusterCommands<String, String> inspect() {
        client = RedisClient.create(TestServers.redisUrl());
        connection = client.connect();
        return connection.sync();
    }

    @Override
    void closeInspection() {
        connection.close();
        client.shutdown();
    }
}
