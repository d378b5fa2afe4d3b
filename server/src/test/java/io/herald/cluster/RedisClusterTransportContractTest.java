package io.herald.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.redis.LettuceClients;
import io.herald.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Redis Cluster sharded pub/sub ({@code adapter.driver: redis-cluster}), on the cluster scripts/test
 * starts and names in HERALD_TEST_REDIS_CLUSTER_NODES (skipped, and counted as skipped, without it).
 */
class RedisClusterTransportContractTest extends ClusterTransportContract {
    private static final LettuceClients LETTUCE = LettuceClients.withOwnThreads();

    @AfterAll
    static void closeClients() {
        LETTUCE.close();
    }

    @BeforeEach
    void assumeCluster() {
        assumeTrue(TestServers.redisClusterNodes() != null,
                "HERALD_TEST_REDIS_CLUSTER_NODES is not set: run scripts/test, which starts a Redis Cluster");
    }

    @Override
    ClusterTransport newTransport(String name) {
        return RedisTransport.cluster(LETTUCE, TestServers.redisClusterNodes());
    }
}
