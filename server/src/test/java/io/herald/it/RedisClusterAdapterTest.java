package io.herald.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Two nodes over a Redis Cluster ({@code adapter.driver: redis-cluster}): the three-shard cluster
 * scripts/test starts for the run and names in HERALD_TEST_REDIS_CLUSTER_NODES. Skipped (and
 * reported as skipped) only when run without scripts/test.
 */
class RedisClusterAdapterTest extends ClusterNodesTest {
    @Override
    void assumeBackend() {
        assumeTrue(TestServers.redisClusterNodes() != null,
                "HERALD_TEST_REDIS_CLUSTER_NODES is not set: run scripts/test, which starts a Redis Cluster");
    }

    @Override
    HeraldConfig.AdapterConfig adapter(String prefix) {
        return new HeraldConfig.AdapterConfig.RedisCluster(TestServers.redisClusterNodes(), prefix, 5000);
    }

    @Override
    String adapterJson(String prefix) {
        List<String> nodes = TestServers.redisClusterNodes();
        return "{\"driver\": \"redis-cluster\", \"cluster\": {\"nodes\": ["
                + nodes.stream().map(node -> "\"" + node + "\"").collect(Collectors.joining(", "))
                + "], \"prefix\": \"" + prefix + "\", \"request_timeout_ms\": 5000, \"use_connection_manager\": true}}";
    }
}
