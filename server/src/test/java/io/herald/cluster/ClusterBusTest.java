package io.herald.cluster;

import static io.herald.cluster.MemoryBus.kind;
import static io.herald.cluster.MemoryBus.to;
import static io.herald.cluster.MemoryNodes.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cluster.ClusterMessage.Kind;
import io.herald.cluster.MemoryNodes.Node;
import io.herald.testing.CapturedLogs;
import io.herald.testing.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What travels on the bus (issue 12, items 10 and 12, and queries): messages over the backend's
 * size go in parts and are joined again, a lost part costs only a re-sync, node subjects never
 * collide, two nodes with one id are reported and still hear each other, and a query does not
 * wait past its timeout for a node that does not answer.
 */
class ClusterBusTest {
    private static final Timing QUICK = new Timing(100, 60_000, 200);
    private static final String ROOM = "presence-big";

    private final MemoryNodes nodes = new MemoryNodes(QUICK);

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void nodeSubjectsAreDistinctForDistinctIdsAndValidNatsTokens() {
        assertThat(ClusterBus.subjectToken("a.b")).isNotEqualTo(ClusterBus.subjectToken("a_b"));
        assertThat(ClusterBus.subjectToken("node a.1")).isEqualTo("node_20a_2E1");
        Random random = new Random(12);
        String alphabet = "ab._-* >\u00e9\u4e2d";
        Map<String, String> idOfToken = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            StringBuilder id = new StringBuilder();
            for (int n = random.nextInt(6); n >= 0; n--) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String token = ClusterBus.subjectToken(id.toString());
            assertThat(token).matches("[A-Za-z0-9_-]+");
            String earlier = idOfToken.putIfAbsent(token, id.toString());
            assertThat(earlier == null || earlier.equals(id.toString())).as("%s and %s share %s", earlier, id, token).isTrue();
        }
    }

    /** 300 members with 100 bytes of user_info each: about 40 KB of state, on a bus that takes 4 KB. */
    private Node nodeWithManyMembers() throws Exception {
        nodes.bus.maxMessageBytes(4096);
        Node a = nodes.start("a");
        String info = "{\"name\":\"" + "x".repeat(90) + "\"}";
        for (int i = 0; i < 300; i++) {
            a.adapter.presenceMemberJoined(APP, ROOM, "user-" + i, info, null);
        }
        nodes.bus.awaitPublished(a.transport, Kind.PRESENCE_JOIN, 300);
        return a;
    }

    private static void awaitAllMembers(Node b) throws InterruptedException {
        Set<String> added = new HashSet<>();
        while (added.size() < 300) {
            String told = b.nextTold();
            assertThat(told).startsWith("added " + ROOM + " user-");
            assertThat(added.add(told)).as("%s once", told).isTrue();
        }
        assertThat(b.adapter.remotePresenceMembers(APP, ROOM)).hasSize(300);
    }

    @Test
    void aSyncOverTheBackendsSizeTravelsInParts() throws Exception {
        nodeWithManyMembers();
        Node b = nodes.start("b");
        awaitAllMembers(b);
        assertThat(nodes.bus.delivered(Kind.PART)).as("parts delivered").isGreaterThan(10);
    }

    @Test
    void lostPartsCostOneMoreSync() throws Exception {
        Node a = nodeWithManyMembers();
        // The third part of the first two syncs b gets: neither can be joined, so b asks again.
        nodes.bus.drop(kind(Kind.PART).and(delivery -> delivery.to() != a.transport && "2".equals(delivery.message().field(1))), 2);
        try (CapturedLogs logs = CapturedLogs.ofLoggers(MessageParts.class.getName())) {
            Node b = nodes.start("b");
            awaitAllMembers(b);
            assertThat(nodes.bus.dropsDone()).isTrue();
            assertThat(logs.warnings()).anyMatch(line -> line.contains("part 2 of"));
        }
    }

    /**
     * Two nodes started with one id (and a third node): both twins log an error naming the id and
     * INSTANCE_PROCESS_ID, and the third one too; yet each still hears the other's members.
     */
    @Test
    void twoNodesWithOneIdAreReportedAndStillHearEachOther() throws Exception {
        try (CapturedLogs logs = CapturedLogs.ofLoggers(ClusterMembership.class.getName())) {
            Node first = nodes.start("same");
            Node second = nodes.start("same");
            Node third = nodes.start("third");
            MemoryNodes.awaitLinked(first, second, third);
            first.adapter.presenceMemberJoined(APP, ROOM, "on-first", null, null);
            second.adapter.presenceMemberJoined(APP, ROOM, "on-second", null, null);
            for (Node node : List.of(first, second, third)) {
                assertThat(List.of(node.nextTold(), node.nextTold())).as("what %s told its subscribers", node.id)
                        .containsExactlyInAnyOrder("added " + ROOM + " on-first", "added " + ROOM + " on-second");
            }

            List<String> errors = logs.all().stream().filter(line -> line.contains("'same'")).toList();
            assertThat(errors).filteredOn(line -> line.startsWith("another node uses this node's id 'same'"))
                    .as("each twin's own error").hasSize(2)
                    .allMatch(line -> line.contains("INSTANCE_PROCESS_ID"));
            // The third node tells twins from a restart once both boots spoke after the other was first
            // heard: at the latest one heartbeat after the second twin's first message.
            Poll.until("the third node reports the twins", Duration.ofSeconds(10), Duration.ofMillis(10),
                    () -> logs.all().stream().anyMatch(line -> line.startsWith("2 nodes use the same id 'same'")
                            && line.contains("INSTANCE_PROCESS_ID")),
                    () -> logs.all().toString());
        }
    }

    /** A node that does not answer is left out once the timeout is up; the metrics hear of both endings. */
    @Test
    void aQueryAnsweredByEveryNodeIsCompleteAndOneLeftUnansweredEndsAtItsTimeout() throws Exception {
        Node a = nodes.start("a", 300);
        Node b = nodes.start("b");
        MemoryNodes.awaitLinked(a, b);
        a.localChannels.put("news", 1);
        b.localChannels.put("news", 2);

        assertThat(a.adapter.channel(APP, "news").get().subscriptionCount()).isEqualTo(3);
        assertThat(drain(a, 3)).containsExactly("sent", "response", "resolved complete");
        assertThat(MemoryNodes.next(b.requests, "b's count")).isEqualTo("received");

        nodes.bus.drop(kind(Kind.REPLY).and(to(a.transport)), 1);
        assertThat(a.adapter.channel(APP, "news").get().subscriptionCount()).as("b left out").isEqualTo(1);
        assertThat(drain(a, 2)).containsExactly("sent", "resolved incomplete");
    }

    private static List<String> drain(Node node, int count) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seen.add(MemoryNodes.next(node.requests, node.id + "'s cluster requests"));
        }
        return seen;
    }
}
