package io.herald.webhooks;

import static io.herald.testing.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.cluster.ChannelOwners;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.NodeProcess;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import io.herald.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The seed's setup, two or three nodes sharing one Redis for the adapter and the webhook queue:
 * each cluster-wide fact is posted exactly once, whichever nodes the connections are on, however
 * they leave, and when the node that decides a channel is killed. Every run has prefixes of its
 * own, so parallel test classes never meet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterWebhooksTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long HOLD_MILLIS = 3000;
    private static final String HOOK = "/cluster";

    private final String prefix = "herald_wh_" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final String nodeA = "wh-a-" + prefix;
    private final String nodeB = "wh-b-" + prefix;
    private WebhookReceiver receiver;
    private App app;
    private Herald a;
    private Herald b;
    private RedisQueueProbe queue;

    @BeforeAll
    void startNodes() {
        receiver = WebhookReceiver.start();
        app = App.builder("clustered", "clustered-key", "clustered-secret").enableClientMessages(true)
                .webhooks(List.of(Webhook.to(receiver.url(HOOK), "channel_occupied", "channel_vacated", "member_added",
                        "member_removed")))
                .build();
        a = TestServers.start(node(nodeA));
        b = TestServers.start(node(nodeB));
        queue = new RedisQueueProbe(TestServers.redisUrl(), prefix + "queue:");
    }

    @AfterAll
    void stopNodes() {
        for (Herald node : new Herald[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
        receiver.close();
        if (queue != null) {
            queue.close();
        }
    }

    private HeraldConfig node(String nodeId) {
        String redis = TestServers.redisUrl();
        HeraldConfig.QueueConfig defaults = HeraldConfig.QueueConfig.memory();
        return TestServers.config(app).toBuilder()
                .adapter(new HeraldConfig.AdapterConfig.Redis(redis, redis, prefix, 5000))
                .queue(new HeraldConfig.QueueConfig("redis", 5, redis, defaults.clusterNodes(), prefix + "queue:", 5000, 30, 100_000))
                .processId(nodeId)
                .build();
    }

    /** A third node as a process of its own, with the same adapter, queue and app. */
    private NodeProcess nodeProcess(String nodeId) throws Exception {
        String redis = TestServers.redisUrl();
        String fields = """
                "adapter": {"driver": "redis", "redis": {"prefix": "%s",
                  "redis_pub_options": {"url": "%s"}, "redis_sub_options": {"url": "%s"}}},
                "queue": {"driver": "redis", "redis": {"prefix": "%squeue:", "url_override": "%s"}},
                "app_manager": {"array": {"apps": [{"id": "%s", "key": "%s", "secret": "%s",
                  "webhooks": [{"url": "%s", "event_types": ["channel_occupied", "channel_vacated", "member_added", "member_removed"]}]}]}}
                """.formatted(prefix, redis, redis, prefix, redis, app.id(), app.key(), app.secret(), receiver.url(HOOK));
        NodeProcess node = NodeProcess.start(NodeProcess.freePort(), fields, Map.of("INSTANCE_PROCESS_ID", nodeId));
        node.awaitOutput("deciding channel facts now"); // from here on it owns its share of the channels
        return node;
    }

    /** A name for a channel that {@code owner} decides among {@code nodes}. */
    private String channelOwnedBy(String base, String owner, String... nodes) {
        for (int i = 0; ; i++) {
            String channel = base + "-" + i;
            if (owner.equals(ChannelOwners.ownerOf(List.of(nodes), app.id(), channel))) {
                return channel;
            }
        }
    }

    private RawClient client(int port) {
        return RawClient.connectEstablished(port, app.key());
    }

    private void subscribePresence(RawClient client, String channel, String userId) {
        String data = "{\"user_id\":\"" + userId + "\"}";
        client.subscribe(channel, ApiSigner.presenceAuth(app.key(), app.secret(), client.socketId(), channel, data), data);
        client.expectSubscribed(channel);
    }

    private List<JsonNode> events(Predicate<JsonNode> matching) {
        return receiver.events(HOOK, matching);
    }

    /**
     * The queue in Redis is empty: every job was sent. A second announcement of a fact would have
     * been queued with the first (in the same moment, by another node), so it has arrived too.
     */
    private void awaitQueueDrained() throws InterruptedException {
        Poll.until("the queue in Redis is empty", WAIT, Duration.ofMillis(20), () -> queue.jobs() == 0,
                () -> queue.jobs() + " job(s) in Redis");
    }

    @Test
    void lastSubscribersLeavingTwoNodesAtOnceVacateTheChannelOnce() throws InterruptedException {
        String channel = "wh-together";
        RawClient onA = client(a.port());
        RawClient onB = client(b.port());
        onA.subscribeOk(channel);
        onB.subscribeOk(channel);
        receiver.awaitEvents(HOOK, event("channel_occupied", channel), 1, WAIT);
        onA.close();
        onB.close();
        receiver.awaitEvents(HOOK, event("channel_vacated", channel), 1, WAIT);
        awaitQueueDrained();
        assertThat(events(event("channel_occupied", channel))).hasSize(1);
        assertThat(events(event("channel_vacated", channel))).hasSize(1);
    }

    @Test
    void aUserOnSeveralNodesIsAddedOnceAndRemovedOnceAfterTheirLastConnection() throws InterruptedException {
        String channel = "presence-wh-spread";
        Predicate<JsonNode> dana = e -> "dana".equals(e.path("user_id").asText());
        RawClient onA = client(a.port());
        RawClient onB = client(b.port());
        try (RawClient otherUser = client(b.port())) {
            subscribePresence(onA, channel, "dana");
            subscribePresence(onB, channel, "dana");
            subscribePresence(otherUser, channel, "erin");
            receiver.awaitEvents(HOOK, event("member_added", channel).and(e -> "erin".equals(e.path("user_id").asText())), 1, WAIT);
            onA.close(); // dana is still connected through B
            long lastLeave = System.currentTimeMillis();
            onB.close();
            receiver.awaitEvents(HOOK, event("member_removed", channel).and(dana), 1, WAIT);
            JsonNode post = receiver.requestWith(HOOK, "member_removed", channel).json();
            assertThat(post.path("time_ms").asLong() - lastLeave).isGreaterThanOrEqualTo(HOLD_MILLIS - 100);
            awaitQueueDrained();
        }
        assertThat(events(event("member_added", channel).and(dana))).hasSize(1);
        assertThat(events(event("member_removed", channel).and(dana))).hasSize(1);
    }

    /** A page reload that reconnects through the other node within the hold posts nothing. */
    @Test
    void aReloadThroughTheOtherNodePostsNothing() throws InterruptedException {
        String channel = "wh-reload";
        try (RawClient onA = client(a.port())) {
            onA.subscribeOk(channel);
            receiver.awaitEvents(HOOK, event("channel_occupied", channel), 1, WAIT);
        }
        long finalLeave;
        try (RawClient onB = client(b.port())) {
            onB.subscribeOk(channel);
            finalLeave = System.currentTimeMillis();
        }
        receiver.awaitEvents(HOOK, event("channel_vacated", channel), 1, WAIT);
        JsonNode post = receiver.requestWith(HOOK, "channel_vacated", channel).json();
        assertThat(post.path("time_ms").asLong() - finalLeave).as("the first leave's vacated would be a second older")
                .isGreaterThanOrEqualTo(HOLD_MILLIS - 100);
        awaitQueueDrained();
        assertThat(events(event("channel_occupied", channel))).hasSize(1);
        assertThat(events(event("channel_vacated", channel))).hasSize(1);
    }

    /**
     * A third node that decides the channel is SIGKILLed while its user is in it, alone: the
     * survivors post the user's member_removed and the channel's vacated, once each.
     */
    @Test
    void aKilledNodesMembersAndChannelsArePostedOnceByTheSurvivors() throws Exception {
        String nodeC = "wh-c-" + prefix;
        String channel = "presence-" + channelOwnedBy("wh-doomed", nodeC, nodeA, nodeB, nodeC);
        try (NodeProcess c = nodeProcess(nodeC)) {
            RawClient onC = client(c.port());
            subscribePresence(onC, channel, "frank");
            receiver.awaitEvents(HOOK, event("member_added", channel), 1, WAIT);
            // Done with in Redis too: a node killed between a webhook's answer and its acknowledgement
            // sends it again after the lease (at least once); that is not what this test is about.
            awaitQueueDrained();
            c.kill();
            receiver.awaitEvents(HOOK, event("member_removed", channel), 1, WAIT);
            receiver.awaitEvents(HOOK, event("channel_vacated", channel), 1, WAIT);
            awaitQueueDrained();
            onC.abort();
        }
        assertThat(events(event("channel_occupied", channel))).hasSize(1);
        assertThat(events(event("member_added", channel))).hasSize(1);
        assertThat(events(event("member_removed", channel))).hasSize(1);
        assertThat(events(event("channel_vacated", channel))).hasSize(1);
    }

    /**
     * The node that decides a channel is killed while it holds the channel's vacated: its successor
     * posts it, once.
     */
    @Test
    void aKilledOwnersHeldVacatedIsPostedByItsSuccessor() throws Exception {
        String nodeD = "wh-d-" + prefix;
        String channel = channelOwnedBy("wh-orphan", nodeD, nodeA, nodeB, nodeD);
        try (NodeProcess d = nodeProcess(nodeD)) {
            try (RawClient onA = client(a.port())) {
                onA.subscribeOk(channel);
                receiver.awaitEvents(HOOK, event("channel_occupied", channel), 1, WAIT);
                awaitQueueDrained(); // as above
            }
            d.kill(); // within the hold of the vacated it was the one to post
            receiver.awaitEvents(HOOK, event("channel_vacated", channel), 1, WAIT);
            awaitQueueDrained();
        }
        assertThat(events(event("channel_occupied", channel))).hasSize(1);
        assertThat(events(event("channel_vacated", channel))).hasSize(1);
    }
}
