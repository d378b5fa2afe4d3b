package io.herald.cluster;

import static io.herald.cluster.MemoryBus.from;
import static io.herald.cluster.MemoryBus.kind;
import static io.herald.cluster.MemoryBus.to;
import static io.herald.cluster.MemoryNodes.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cluster.ClusterMessage.Kind;
import io.herald.cluster.MemoryNodes.Node;
import io.herald.testing.CapturedLogs;
import io.herald.testing.Poll;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The copies of the other nodes' state converge after a lost message (issue 12, item 9), on the
 * in-memory bus that loses exactly the message a test names. Heartbeats come every 100 ms, and no
 * node is ever taken for crashed (a minute of silence would be needed): whatever repairs a copy
 * here is the re-sync, never a node timing out.
 */
class ClusterConvergenceTest {
    private static final Timing QUICK = new Timing(100, 60_000, 200);
    private static final String ROOM = "presence-room";

    private final MemoryNodes nodes = new MemoryNodes(QUICK);

    @AfterEach
    void stop() {
        nodes.close();
    }

    /** A channel whose facts {@code owner} decides among {@code ids}. */
    private static String channelOwnedBy(String owner, String... ids) {
        for (int i = 0; ; i++) {
            String channel = "room-" + i;
            if (owner.equals(ChannelOwners.ownerOf(List.of(ids), APP, channel))) {
                return channel;
            }
        }
    }

    @Test
    void aLostLeaveLeavesNoGhost() throws Exception {
        Node a = nodes.start("a");
        Node b = nodes.start("b");
        MemoryNodes.awaitLinked(a, b);
        a.adapter.presenceMemberJoined(APP, ROOM, "ghost", "{\"name\":\"G\"}", null);
        assertThat(b.nextTold()).isEqualTo("added " + ROOM + " ghost");
        nodes.awaitSyncsAnswered(b, a); // or a late answer to b's start-up request would carry the leave
        int resyncs = b.resyncs.get();

        nodes.bus.drop(kind(Kind.PRESENCE_LEAVE).and(to(b.transport)), 1);
        try (CapturedLogs logs = CapturedLogs.ofLoggers(Replicas.class.getName())) {
            a.adapter.presenceMemberLeft(APP, ROOM, "ghost");
            assertThat(b.nextTold()).as("b's subscribers, after the leave was lost").isEqualTo("removed " + ROOM + " ghost");
            assertThat(logs.all()).anyMatch(line -> line.startsWith("re-syncing with cluster node a (boot ")
                    && line.contains("its heartbeat is at version 2, our copy at 1"));
        }
        assertThat(nodes.bus.dropsDone()).as("the leave was lost").isTrue();
        assertThat(b.resyncs.get()).as("presenceResynced reported").isGreaterThan(resyncs);
        assertThat(b.adapter.remotePresenceMembers(APP, ROOM)).isEmpty();
        assertThat(b.adapter.liveNodes()).as("a was never taken for gone").isEqualTo(2);

        // Once: the next thing b's subscribers hear is a later join, not a second member_removed.
        a.adapter.presenceMemberJoined(APP, ROOM, "later", null, null);
        assertThat(b.nextTold()).isEqualTo("added " + ROOM + " later");
    }

    @Test
    void aLostJoinIsAnnouncedOnceAfterTheResync() throws Exception {
        Node a = nodes.start("a");
        Node b = nodes.start("b");
        MemoryNodes.awaitLinked(a, b);
        nodes.bus.drop(kind(Kind.PRESENCE_JOIN).and(to(b.transport)), 1);
        a.adapter.presenceMemberJoined(APP, ROOM, "missed", null, null);
        assertThat(b.nextTold()).isEqualTo("added " + ROOM + " missed");
        assertThat(b.adapter.remotePresenceMembers(APP, ROOM)).containsOnlyKeys("missed");
        a.adapter.presenceMemberJoined(APP, ROOM, "later", null, null);
        assertThat(b.nextTold()).isEqualTo("added " + ROOM + " later");
    }

    @Test
    void aLostSignOutStillSendsOfflineToWatchers() throws Exception {
        Node a = nodes.start("a");
        Node b = nodes.start("b");
        MemoryNodes.awaitLinked(a, b);
        a.adapter.userCameOnline(APP, "star");
        assertThat(b.nextTold()).isEqualTo("online star");
        nodes.bus.drop(kind(Kind.PRESENCE_LEAVE).and(to(b.transport)), 1);
        a.adapter.userWentOffline(APP, "star");
        assertThat(b.nextTold()).isEqualTo("offline star");
        assertThat(b.adapter.onlineUsers(APP, java.util.Set.of("star")).get()).isEmpty();
    }

    /**
     * Webhooks: the channel's owner is b; a's "no subscribers left" is lost on its way to b, which
     * still posts channel_vacated, once, after the resync and the hold.
     */
    @Test
    void aLostOccupancyChangeStillEndsInOneVacatedFact() throws Exception {
        Node a = nodes.start("a");
        Node b = nodes.start("b");
        MemoryNodes.awaitLinked(a, b);
        MemoryNodes.awaitDeciding(a, b);
        String channel = channelOwnedBy("b", "a", "b");
        a.subscribers(channel, 1);
        assertThat(nodes.nextFact()).isEqualTo("b: occupied " + channel);

        nodes.bus.drop(kind(Kind.OCCUPANCY).and(to(b.transport)), 1);
        a.subscribers(channel, 0);
        assertThat(nodes.nextFact()).isEqualTo("b: vacated " + channel);
        assertThat(nodes.bus.dropsDone()).isTrue();

        String marker = channelOwnedBy("b", "a", "b") + "-marker";
        String owner = ChannelOwners.ownerOf(List.of("a", "b"), APP, marker);
        a.subscribers(marker, 1);
        assertThat(nodes.nextFact()).as("the next fact (no second vacated)").isEqualTo(owner + ": occupied " + marker);
    }

    /**
     * A node whose own connection dropped asks everyone for their state when it is back: with a
     * heartbeat only once a minute, nothing else could repair its copy within the test.
     */
    @Test
    void aNodeThatReconnectsAsksForEveryonesState() throws Exception {
        MemoryNodes slow = new MemoryNodes(new Timing(60_000, 600_000, 200));
        try (slow; CapturedLogs logs = CapturedLogs.ofLoggers(Replicas.class.getName())) {
            Node a = slow.start("a");
            Node b = slow.start("b");
            MemoryNodes.awaitLinked(a, b);
            a.adapter.presenceMemberJoined(APP, ROOM, "ghost", null, null);
            assertThat(b.nextTold()).isEqualTo("added " + ROOM + " ghost");

            b.transport.cut();
            a.adapter.presenceMemberLeft(APP, ROOM, "ghost");
            a.adapter.presenceMemberJoined(APP, ROOM, "marker", null, null);
            slow.bus.awaitPublished(a.transport, Kind.PRESENCE_JOIN, 2); // both went out while b was away
            b.transport.reconnect();
            assertThat(List.of(b.nextTold(), b.nextTold())).containsExactlyInAnyOrder(
                    "removed " + ROOM + " ghost", "added " + ROOM + " marker");
            assertThat(logs.all()).anyMatch(line -> line.startsWith("re-syncing with every cluster node"));
        }
    }

    /**
     * A change that overtakes the sync it follows (they travel on different subjects) is held
     * and applied after it: no member_removed and member_added for a user who never left.
     */
    @Test
    void aChangeThatArrivesBeforeItsSyncIsAppliedAfterIt() throws Exception {
        MemoryNodes slow = new MemoryNodes(new Timing(60_000, 600_000, 200));
        try (slow) {
            Node a = slow.start("a");
            slow.bus.hold(kind(Kind.SYNC).and(from(a.transport)));
            Node b = slow.start("b");
            MemoryNodes.awaitLinked(a, b);
            a.adapter.presenceMemberJoined(APP, ROOM, "early", null, null);
            assertThat(b.told.poll()).as("held until a's state is in").isNull();
            slow.bus.release();
            assertThat(b.nextTold()).isEqualTo("added " + ROOM + " early");
            a.adapter.presenceMemberJoined(APP, ROOM, "marker", null, null);
            assertThat(b.nextTold()).isEqualTo("added " + ROOM + " marker");
        }
    }

    /** A node that starts again under its id replaces its earlier boot at once: no waiting for the timeout. */
    @Test
    void aRestartUnderTheSameIdDropsTheEarlierBootsMembersAtOnce() throws Exception {
        try (CapturedLogs logs = CapturedLogs.ofLoggers(ClusterMembership.class.getName())) {
            Node a = nodes.start("a");
            Node b = nodes.start("b");
            MemoryNodes.awaitLinked(a, b);
            a.adapter.presenceMemberJoined(APP, ROOM, "before", null, null);
            assertThat(b.nextTold()).isEqualTo("added " + ROOM + " before");

            a.transport.cut(); // a crashes: no goodbye
            Node again = nodes.start("a");
            assertThat(b.nextTold()).isEqualTo("removed " + ROOM + " before");
            MemoryNodes.awaitLinked(again, b);
            // logged just after the members are removed, so possibly after b counts again in
            Poll.until("b logs the restart", Duration.ofSeconds(10), Duration.ofMillis(5),
                    () -> logs.all().stream().anyMatch(line -> line.startsWith("cluster node a (boot ") && line.contains("started again")),
                    () -> logs.all().toString());
            assertThat(logs.all()).noneMatch(line -> line.contains("same id") || line.contains("uses this node's id"));
        }
    }
}
