package io.herald.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.config.HeraldConfig;
import io.herald.raw.RawClient;
import io.herald.testing.NodeProcess;
import io.herald.testing.PrivateRedis;
import io.herald.testing.TestServers;
import io.herald.testing.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The queue's Redis goes away: {@code /up} says so, the webhooks produced meanwhile wait in the
 * node and are sent when it is back; a Redis that is not there at start-up stops start-up in one
 * line.
 */
class RedisQueueOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static HeraldConfig node(App app, String redisUrl) {
        HeraldConfig.QueueConfig defaults = HeraldConfig.QueueConfig.memory();
        return TestServers.config(app).toBuilder()
                .queue(new HeraldConfig.QueueConfig("redis", 5, redisUrl, defaults.clusterNodes(), "outage:", 1000, 30, 100_000))
                .build();
    }

    @Test
    void webhooksOfAnOutageAreKeptAndSentWhenRedisIsBack() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start(); PrivateRedis redis = PrivateRedis.start()) {
            App app = App.builder("outage", "outage-key", "outage-secret")
                    .webhooks(List.of(Webhook.to(receiver.url("/o"), "channel_occupied"))).build();
            try (Herald herald = TestServers.start(node(app, redis.url()))) {
                assertThat(TestServers.up(herald).statusCode()).isEqualTo(200);
                redis.down();
                assertThat(TestServers.awaitUp(herald, 503)).isEqualTo("ERROR: Webhook queue backend unreachable");
                List<RawClient> clients = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    RawClient client = RawClient.connectEstablished(herald.port(), app.key());
                    client.subscribeOk("during-outage-" + i);
                    clients.add(client);
                }
                redis.up(); // empty: what Redis held before is gone, what the node kept is not
                TestServers.awaitUp(herald, 200);
                List<JsonNode> events = receiver.awaitEvents("/o", e -> true, 20, WAIT);
                Set<String> channels = events.stream().map(e -> e.path("channel").asText()).collect(Collectors.toSet());
                assertThat(channels).hasSize(20);
                assertThat(herald.webhookStats().dropped()).isZero();
                clients.forEach(RawClient::close);
            }
        }
    }

    @Test
    void anUnreachableQueueStopsStartupInOneLineWithoutThePassword() throws Exception {
        int nobody = NodeProcess.freePort();
        assertThatThrownBy(() -> Herald.start(node(App.of("a", "k", "s"), "redis://:hunter2@127.0.0.1:" + nobody)))
                .hasMessageStartingWith("queue.driver redis: cannot connect to redis://127.0.0.1:" + nobody)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
}
