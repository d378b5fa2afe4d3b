package io.herald.cluster;

import io.herald.redis.LettuceClients;
import io.herald.testing.TestServers;
import org.junit.jupiter.api.AfterAll;

/** Redis pub/sub ({@code adapter.driver: redis}), on the Redis scripts/test runs. */
class RedisTransportContractTest extends ClusterTransportContract {
    private static final LettuceClients LETTUCE = LettuceClients.withOwnThreads();

    @AfterAll
    static void closeClients() {
        LETTUCE.close();
    }

    @Override
    ClusterTransport newTransport(String name) {
        return RedisTransport.standalone(LETTUCE, TestServers.redisUrl(), TestServers.redisUrl());
    }
}
