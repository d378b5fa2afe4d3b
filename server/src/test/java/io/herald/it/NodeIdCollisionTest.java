package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.CapturedLogs;
import io.herald.testing.TestServers;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 12: two nodes started with the same instance.process_id (over NATS, whose
 * subjects the id is encoded into). Each logs an error naming the id and INSTANCE_PROCESS_ID,
 * and they do not ignore each other: a member on one is listed by a subscriber on the other.
 */
class NodeIdCollisionTest {
    private static final String ROOM = "presence-twins";

    private static RawClient member(Herald node, String userId) {
        RawClient client = RawClient.connectEstablished(node.port(), TestServers.APP_KEY);
        String data = "{\"user_id\":\"" + userId + "\"}";
        client.subscribe(ROOM, ApiSigner.presenceAuth(TestServers.APP_KEY, TestServers.APP_SECRET, client.socketId(), ROOM, data), data);
        return client;
    }

    @Test
    void twoNodesWithOneIdSayItLoudlyAndStillHearEachOther() {
        String prefix = "herald_twins_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        String id = "twin." + prefix;
        HeraldConfig.AdapterConfig adapter = new HeraldConfig.AdapterConfig.Nats(List.of(TestServers.natsUrl()), prefix, 5000, 5000,
                null, null, null);
        try (CapturedLogs logs = CapturedLogs.ofLoggers("io.herald.cluster.ClusterMembership");
             Herald first = TestServers.start(TestServers.withAdapter(TestServers.config(), adapter, id));
             Herald second = TestServers.start(TestServers.withAdapter(TestServers.config(), adapter, id));
             RawClient onFirst = member(first, "on-first");
             RawClient onSecond = member(second, "on-second")) {
            onFirst.expectSubscribed(ROOM);
            Set<String> seen = new HashSet<>();
            RawClient.parseData(onSecond.expectSubscribed(ROOM)).path("presence").path("ids").forEach(user -> seen.add(user.asText()));
            while (!seen.contains("on-first")) {
                seen.add(RawClient.parseData(onSecond.skipUntil("pusher_internal:member_added")).path("user_id").asText());
            }
            assertThat(logs.all()).filteredOn(line -> line.startsWith("another node uses this node's id '" + id + "'"))
                    .as("an error on each of the two").hasSizeGreaterThanOrEqualTo(2)
                    .allMatch(line -> line.contains("INSTANCE_PROCESS_ID"));
        }
    }
}
