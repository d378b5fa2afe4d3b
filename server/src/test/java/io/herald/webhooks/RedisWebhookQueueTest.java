package io.herald.webhooks;

import io.herald.config.HeraldConfig;
import io.herald.redis.LettuceClients;
import io.herald.testing.TestServers;
import java.util.UUID;

/** The queue contract against the Redis that scripts/test runs; every test has a prefix of its own. */
class RedisWebhookQueueTest extends DurableWebhookQueueContract {
    private final LettuceClients lettuce = LettuceClients.withOwnThreads();
    final String prefix = "herald_q_" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @Override
    WebhookQueue open(String consumer, int maxJobs) {
        return opened(RedisWebhookQueue.open(lettuce, new HeraldConfig.RedisEndpoint.Standalone(TestServers.redisUrl()), prefix, consumer, maxJobs,
                LEASE_MILLIS, 2000, new WebhookStats()));
    }

    @Override
    void closeDriver() {
        lettuce.close();
    }
}
