package io.herald.webhooks;

import static io.herald.testing.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.NodeProcess;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import io.herald.testing.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The redis queue under faults: a node killed with jobs waiting, a node killed with a job in flight,
 * and ten thousand webhooks through two nodes, none lost and none twice.
 */
class RedisQueueFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String prefix = "herald_qf_" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final String queuePrefix = prefix + "queue:";
    private WebhookReceiver receiver;
    private App app;
    private RedisQueueProbe queue;
    private final List<Herald> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        receiver = WebhookReceiver.start();
        app = App.builder("queued", "queued-key", "queued-secret").enableClientMessages(true).maxClientEventsPerSecond(100_000)
                .webhooks(List.of(Webhook.to(receiver.url("/q"), "channel_occupied", "client_event"))).build();
        queue = new RedisQueueProbe(TestServers.redisUrl(), queuePrefix);
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(Herald::close);
        receiver.close();
        queue.close();
    }

    private long jobsInRedis() {
        return queue.jobs();
    }

    private String nodeFields(int leaseSeconds) {
        return """
                "queue": {"driver": "redis", "lease_seconds": %d, "redis": {"prefix": "%s", "url_override": "%s"}},
                "app_manager": {"array": {"apps": [{"id": "%s", "key": "%s", "secret": "%s",
                  "webhooks": [{"url": "%s", "event_types": ["channel_occupied", "client_event"]}]}]}}
                """.formatted(leaseSeconds, queuePrefix, TestServers.redisUrl(), app.id(), app.key(), app.secret(),
                receiver.url("/q"));
    }

    private Herald inProcessNode(String nodeId, int leaseSeconds) {
        HeraldConfig.QueueConfig defaults = HeraldConfig.QueueConfig.memory();
        Herald node = TestServers.start(TestServers.config(app).toBuilder().processId(nodeId)
                .queue(new HeraldConfig.QueueConfig("redis", 5, TestServers.redisUrl(), defaults.clusterNodes(), queuePrefix,
                        5000, leaseSeconds, 100_000))
                // A receiver slowed down by a busy test machine must not look like a dead one.
                .webhooks(new HeraldConfig.WebhooksConfig(false, 50, 100, 60_000, 300))
                .build());
        nodes.add(node);
        return node;
    }

    /**
     * The receiver is down, 20 channels become occupied, the node that queued their webhooks is
     * SIGKILLed and started again, the receiver comes up: all 20 arrive, once each.
     */
    @Test
    void jobsOutliveTheNodeThatQueuedThemAndTheReceiversOutage() throws Exception {
        receiver.down();
        int port = NodeProcess.freePort();
        List<RawClient> clients = new ArrayList<>();
        try (NodeProcess node = NodeProcess.start(port, nodeFields(2), Map.of("INSTANCE_PROCESS_ID", "qf-" + prefix))) {
            for (int i = 0; i < 20; i++) {
                RawClient client = RawClient.connectEstablished(port, app.key());
                client.subscribeOk("durable-" + i);
                clients.add(client);
            }
            Poll.until("20 jobs are in Redis", WAIT, Duration.ofMillis(20), () -> jobsInRedis() == 20, () -> jobsInRedis() + " jobs");
            node.kill();
        }
        clients.forEach(RawClient::abort);
        try (NodeProcess again = NodeProcess.start(port, nodeFields(2), Map.of("INSTANCE_PROCESS_ID", "qf-" + prefix))) {
            receiver.up();
            receiver.awaitEvents("/q", e -> e.path("name").asText().equals("channel_occupied"), 20, WAIT);
            Poll.until("Redis holds no job", WAIT, Duration.ofMillis(20), () -> jobsInRedis() == 0, () -> jobsInRedis() + " jobs");
        }
        Set<String> channels = receiver.events("/q").stream().map(e -> e.path("channel").asText()).collect(Collectors.toSet());
        assertThat(channels).hasSize(20);
        assertThat(receiver.events("/q")).hasSize(20);
    }

    /** A node dies while its POST is unanswered: another node sends the job once the lease has run out. */
    @Test
    void aJobInFlightOnANodeThatDiesIsSentByAnotherAfterTheLease() throws Exception {
        receiver.hold();
        int port = NodeProcess.freePort();
        String body;
        try (NodeProcess doomed = NodeProcess.start(port, nodeFields(2), Map.of("INSTANCE_PROCESS_ID", "qf-doomed-" + prefix))) {
            try (RawClient client = RawClient.connectEstablished(port, app.key())) {
                client.subscribeOk("in-flight");
                body = receiver.awaitRequests("/q", 1, WAIT).get(0).body();
                doomed.kill();
            }
        }
        receiver.release();
        Herald survivor = inProcessNode("qf-survivor-" + prefix, 2);
        List<WebhookReceiver.Received> posts = receiver.awaitRequests("/q", 2, WAIT);
        assertThat(posts).extracting(WebhookReceiver.Received::body).containsExactly(body, body);
        Poll.until("the survivor counted it sent", WAIT, Duration.ofMillis(20), () -> survivor.webhookStats().sent() == 1,
                () -> "sent " + survivor.webhookStats().sent());
        Poll.until("Redis holds no job", WAIT, Duration.ofMillis(20), () -> jobsInRedis() == 0, () -> jobsInRedis() + " jobs");
    }

    /** Client events on two nodes sharing the queue: every one of 10,000 webhooks arrives exactly once. */
    @Test
    void tenThousandWebhooksThroughTwoNodesNoneLostNoneDoubled() throws Exception {
        Herald a = inProcessNode("qf-a-" + prefix, 30);
        Herald b = inProcessNode("qf-b-" + prefix, 30);
        String channel = "private-volume";
        int senders = 10;
        int perSender = 1000;
        List<RawClient> clients = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            Herald node = s % 2 == 0 ? a : b;
            RawClient client = RawClient.connectEstablished(node.port(), app.key());
            client.subscribe(channel, ApiSigner.channelAuth(app.key(), app.secret(), client.socketId(), channel), null);
            client.expectSubscribed(channel);
            clients.add(client);
        }
        for (int i = 0; i < perSender; i++) {
            for (int s = 0; s < senders; s++) {
                clients.get(s).event("client-n", channel, s + "-" + i);
            }
        }
        List<JsonNode> events = receiver.awaitEvents("/q", event("client_event", channel), senders * perSender, WAIT);
        Poll.until("Redis holds no job", WAIT, Duration.ofMillis(20), () -> jobsInRedis() == 0, () -> jobsInRedis() + " jobs");
        clients.forEach(RawClient::close);
        // A try that failed (a timeout of this busy receiver, say) is sent again: that is at least once, not a bug.
        assertThat(a.webhookStats().retried() + b.webhookStats().retried()).as("tries sent again").isZero();
        Set<String> distinct = new HashSet<>();
        events.forEach(e -> distinct.add(e.path("data").asText()));
        assertThat(distinct).hasSize(senders * perSender);
        assertThat(receiver.events("/q", event("client_event", channel))).hasSize(senders * perSender);
        assertThat(a.webhookStats().sent() + b.webhookStats().sent()).as("POSTs counted as sent, two of them channel_occupied")
                .isEqualTo(receiver.requests("/q").size());
        assertThat(a.webhookStats().sent()).as("both nodes send").isPositive();
        assertThat(b.webhookStats().sent()).as("both nodes send").isPositive();
    }
}
