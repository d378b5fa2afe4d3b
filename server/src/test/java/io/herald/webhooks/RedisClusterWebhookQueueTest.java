package io.herald.webhooks;

import io.herald.config.HeraldConfig;
import io.herald.redis.LettuceClients;
import io.herald.testing.TestServers;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** The queue contract against the Redis Cluster that scripts/test starts: each endpoint's line on its own slot. */
class RedisClusterWebhookQueueTest extends DurableWebhookQueueContract {
    private final LettuceClients lettuce = LettuceClients.withOwnThreads();
    final String prefix = "herald_qc_" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @Override
    WebhookQueue open(String consumer, int maxJobs) {
        Assumptions.assumeTrue(TestServers.redisClusterNodes() != null, "scripts/test starts the Redis Cluster");
        return opened(RedisWebhookQueue.open(lettuce, new HeraldConfig.RedisEndpoint.Cluster(TestServers.redisClusterNodes()), prefix, consumer, maxJobs,
                LEASE_MILLIS, 2000, new WebhookStats()));
    }

    @Override
    void closeDriver() {
        lettuce.close();
    }
}
