package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing the real Redis, or the test Redis Cluster, as cache driver: an event cached
 * through one is replayed by the other.
 */
class RedisCacheChannelTest {

    @Test
    void onRedisAnEventPublishedThroughOneNodeIsReplayedByTheOther() throws Exception {
        replayedAcrossNodes(new HeraldConfig.RedisEndpoint.Standalone(TestServers.redisUrl()));
    }

    @Test
    void onARedisClusterAnEventPublishedThroughOneNodeIsReplayedByTheOther() throws Exception {
        Assumptions.assumeTrue(TestServers.redisClusterNodes() != null, "scripts/test starts the Redis Cluster");
        replayedAcrossNodes(new HeraldConfig.RedisEndpoint.Cluster(TestServers.redisClusterNodes()));
    }

    private static void replayedAcrossNodes(HeraldConfig.RedisEndpoint endpoint) throws Exception {
        // A fresh prefix per run, so an earlier run's keys can never answer for this one.
        HeraldConfig.CacheConfig redis = new HeraldConfig.CacheConfig.Redis(endpoint, "herald_test_" + UUID.randomUUID() + ":", 60);
        try (Herald nodeA = TestServers.start(TestServers.withCache(TestServers.config(), redis));
             Herald nodeB = TestServers.start(TestServers.withCache(TestServers.config(), redis))) {
            com.pusher.rest.Pusher api = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
            api.setHost("127.0.0.1:" + nodeA.port());
            assertThat(api.trigger("cache-shared", "price", "42").getHttpStatus()).isEqualTo(200);

            Pusher client = new Pusher(TestServers.APP_KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(nodeB.port()).setUseTLS(false));
            CompletableFuture<PusherEvent> replay = new CompletableFuture<>();
            client.subscribe("cache-shared", new ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {}

                @Override
                public void onEvent(PusherEvent event) {
                    replay.complete(event);
                }
            }, "price");
            client.connect();
            try {
                PusherEvent event = replay.get(10, TimeUnit.SECONDS);
                assertThat(event.getData()).isEqualTo("\"42\""); // the REST library JSON-encodes data
                assertThat(event.getChannelName()).isEqualTo("cache-shared");
            } finally {
                client.disconnect();
            }
        }
    }
}
