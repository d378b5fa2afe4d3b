package io.herald.limits;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.Assumptions;

/** {@code rate_limiter.driver: redis-cluster} on the Redis Cluster that scripts/test starts. */
class RedisClusterRateLimiterTest extends RedisRateLimiterContract {
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;

    @Override
    HeraldConfig.RedisEndpoint endpoint() {
        Assumptions.assumeTrue(TestServers.redisClusterNodes() != null, "scripts/test starts the Redis Cluster");
        return new HeraldConfig.RedisEndpoint.Cluster(TestServers.redisClusterNodes());
    }

    @Override
    RedisClusterCommands<String, String> inspect() {
        endpoint();
        client = RedisClusterClient.create(TestServers.redisClusterNodes().stream().map(RedisURI::create).toList());
        connection = client.connect();
        return connection.sync();
    }

    @Override
    void closeInspection() {
        connection.close();
        client.shutdown();
    }
}
