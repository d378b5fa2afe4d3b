package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.cluster.NatsTransport;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.CapturedLogs;
import io.herald.testing.Poll;
import io.herald.testing.PrivateNats;
import io.herald.testing.TcpProxy;
import io.herald.testing.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lossy buses with real servers (issue 12, items 9 and 10): a node that missed a member's leave
 * while its Redis connection was down shows no ghost once it is back, and a node's presence
 * state bigger than the NATS server's max_payload still reaches a node that joins.
 */
class ClusterLossTest {
    private static final String ROOM = "presence-lossy";
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    private RawClient member(Herald node, String userId, String userInfo) {
        RawClient client = closeLater(RawClient.connectEstablished(node.port(), TestServers.APP_KEY));
        String data = "{\"user_id\":\"" + userId + "\",\"user_info\":" + userInfo + "}";
        client.subscribe(ROOM, ApiSigner.presenceAuth(TestServers.APP_KEY, TestServers.APP_SECRET, client.socketId(), ROOM, data), data);
        return client;
    }

    /**
     * The members {@code client} knows of: its subscription_succeeded list, then member_added until
     * there are {@code count}. (A member whose node's state arrives while the client subscribes
     * may be both in the list and in a member_added; clients take that as one member.)
     */
    private static Set<String> awaitMembers(RawClient client, int count) {
        Set<String> ids = new HashSet<>();
        RawClient.parseData(client.expectSubscribed(ROOM)).path("presence").path("ids").forEach(id -> ids.add(id.asText()));
        while (ids.size() < count) {
            ids.add(RawClient.parseData(client.skipUntil("pusher_internal:member_added")).path("user_id").asText());
        }
        return ids;
    }

    private static String nextMemberEvent(RawClient client) {
        while (true) {
            JsonNode event = client.next();
            String name = event.path("event").asText();
            if (name.startsWith("pusher_internal:member_")) {
                return name.substring("pusher_internal:".length()) + " " + RawClient.parseData(event).path("user_id").asText();
            }
        }
    }

    /**
     * Node B reaches Redis through a relay that the test cuts: while B is away, a member on A
     * leaves. When B is back, its subscribers get one member_removed for that member (B asks for
     * A's state when it listens again, and A's next heartbeat says B's copy is behind), while
     * the member who stayed stays: B never took A for gone.
     */
    @Test
    void aLeaveMissedWhileReconnectingLeavesNoGhost() throws Exception {
        String prefix = "herald_loss_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        URI redis = URI.create(TestServers.redisUrl());
        TcpProxy relay = closeLater(TcpProxy.to(redis.getPort()));
        String viaRelay = "redis://127.0.0.1:" + relay.port();
        CapturedLogs logs = closeLater(CapturedLogs.ofLoggers("io.herald.cluster.Replicas"));
        Herald a = closeLater(TestServers.start(TestServers.withAdapter(TestServers.config(),
                new HeraldConfig.AdapterConfig.Redis(TestServers.redisUrl(), TestServers.redisUrl(), prefix, 5000), "loss-a-" + prefix)));
        Herald b = closeLater(TestServers.start(TestServers.withAdapter(TestServers.config(),
                new HeraldConfig.AdapterConfig.Redis(viaRelay, viaRelay, prefix, 5000), "loss-b-" + prefix)));

        RawClient stays = member(a, "stays", "{}");
        awaitMembers(stays, 1);
        RawClient ghost = member(a, "ghost", "{}");
        awaitMembers(ghost, 2);
        RawClient watcher = member(b, "watcher", "{}");
        assertThat(awaitMembers(watcher, 3)).containsExactlyInAnyOrder("stays", "ghost", "watcher");
        assertThat(nextMemberEvent(stays)).isEqualTo("member_added ghost");
        assertThat(nextMemberEvent(stays)).as("A has B's member before the cut").isEqualTo("member_added watcher");

        relay.cut();
        awaitSubscribers(prefix + "broadcast", 1); // Redis no longer has B's subscription
        ghost.close();
        assertThat(nextMemberEvent(stays)).as("A has handled (and published) the leave").isEqualTo("member_removed ghost");
        relay.restore();

        assertThat(nextMemberEvent(watcher)).isEqualTo("member_removed ghost");
        member(a, "later", "{}");
        assertThat(nextMemberEvent(watcher)).as("the next member event on B (no second removal, and 'stays' stayed)")
                .isEqualTo("member_added later");
        assertThat(logs.all()).anyMatch(line -> line.startsWith("re-syncing with"));
    }

    /** Waits until {@code count} connections subscribe to {@code channel} in the shared Redis. */
    private static void awaitSubscribers(String channel, long count) throws InterruptedException {
        RedisClient client = RedisClient.create(TestServers.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            Poll.until(count + " subscriber(s) of " + channel, Duration.ofSeconds(10), Duration.ofMillis(5),
                    () -> connection.sync().pubsubNumsub(channel).get(channel) == count,
                    () -> connection.sync().pubsubNumsub(channel).toString());
        } finally {
            client.shutdown();
        }
    }

    /**
     * Twenty members with 1.5 KB of user_info each on node A: A's state is about 32 KB, twice
     * the 16 KB max_payload of this test's NATS server. Node B starts after them and still lists
     * every one of them; no publish was refused.
     */
    @Test
    void presenceStateOverNatsMaxPayloadReachesANodeThatJoins() throws Exception {
        String prefix = "herald_parts_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        PrivateNats nats = closeLater(PrivateNats.start(16 * 1024));
        CapturedLogs logs = closeLater(CapturedLogs.of(NatsTransport.class));
        HeraldConfig.AdapterConfig adapter = new HeraldConfig.AdapterConfig.Nats(List.of(nats.url()), prefix, 5000, 5000, null, null, null);
        Herald a = closeLater(TestServers.start(TestServers.withAdapter(TestServers.config(), adapter, "parts-a-" + prefix)));
        String info = "{\"bio\":\"" + "x".repeat(1500) + "\"}";
        for (int i = 0; i < 20; i++) {
            awaitMembers(member(a, "user-" + i, info), i + 1);
        }

        Herald b = closeLater(TestServers.start(TestServers.withAdapter(TestServers.config(), adapter, "parts-b-" + prefix)));
        Set<String> seenOnB = awaitMembers(member(b, "watcher", "{}"), 21);
        assertThat(seenOnB).hasSize(21).contains("watcher", "user-0", "user-19");
        assertThat(logs.warnings()).noneMatch(line -> line.contains("could not publish") && line.contains(prefix));
    }
}
