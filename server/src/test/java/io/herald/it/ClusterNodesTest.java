package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.PresenceChannel;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.rest.data.Result;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.cluster.ClusterAdapter;
import io.herald.config.HeraldConfig;
import io.herald.testing.NodeProcess;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two Herald nodes sharing one cluster backend behave as one server: what is published on one
 * reaches subscribers on both, queries count every node, presence spans nodes with one
 * member_added/member_removed per user, terminate_connections reaches every node, and a crashed
 * node's members are removed. Each driver's subclass names its backend; every run uses a fresh
 * prefix so parallel test classes never hear each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterNodesTest {
    private Herald nodeA;
    private Herald nodeB;
    private com.pusher.rest.Pusher restA;
    private com.pusher.rest.Pusher restB;
    private final List<AutoCloseable> clients = new ArrayList<>();
    /** An app with watchlist events, beside the default app. */
    private static final App WATCHING = TestServers.appWithUserFeatures("watching", false, true);
    /** An app with max_connections 2, for the whole cluster. */
    private static final App LIMITED = App.builder("limited", "limited-key", "limited-secret").maxConnections(2).build();

    /** The adapter block both nodes use; {@code prefix} is unique to this run. */
    abstract HeraldConfig.AdapterConfig adapter(String prefix);

    /** The same block as an operator writes it in config.json, for a node started as its own process. */
    abstract String adapterJson(String prefix);

    private final String prefix = "herald_test_" + UUID.randomUUID().toString().substring(0, 8) + ":";

    /** Skips the class when its backend was not provided (see the Redis Cluster test). */
    void assumeBackend() {}

    @BeforeAll
    void startNodes() {
        assumeBackend();
        // Node ids are free text: a space and a dot are not allowed in a NATS subject token.
        HeraldConfig apps = TestServers.config(TestServers.defaultApp(), WATCHING, LIMITED);
        nodeA = TestServers.start(TestServers.withAdapter(apps, adapter(prefix), "node a.1 " + prefix));
        nodeB = TestServers.start(TestServers.withAdapter(apps, adapter(prefix), "node-b-" + prefix));
        restA = rest(nodeA.port());
        restB = rest(nodeB.port());
    }

    @AfterAll
    void stopNodes() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
    }

    private static com.pusher.rest.Pusher rest(int port) {
        com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
        rest.setHost("127.0.0.1:" + port);
        return rest;
    }

    private WsClient client(String label, int port) {
        WsClient client = new WsClient(label, TestServers.APP_KEY, port, null).connect();
        clients.add(client);
        return client;
    }

    private WsClient member(String label, int port, String userId) {
        WsClient client = new WsClient(label, TestServers.APP_KEY, port,
                Fixture.presenceAuthorizer(restA, userId, Map.of("name", label))).connect();
        clients.add(client);
        return client;
    }

    /**
     * Waits until the client's member list is {@code expected}: from subscription_succeeded, or a
     * moment later by member_added when the other node's join was still on the bus (as documented).
     */
    private static void awaitMembers(String what, PresenceChannel channel, String... expected) {
        try {
            Poll.until(what, Duration.ofSeconds(10), Duration.ofMillis(10),
                    () -> ids(channel.getUsers()).equals(Set.of(expected)), () -> ids(channel.getUsers()).toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Set<String> ids(Set<User> users) {
        return users.stream().map(User::getId).collect(Collectors.toSet());
    }

    private static long count(WsClient client, WsClient.Kind kind, String channel, String userId) {
        return client.history(o -> o.kind() == kind && channel.equals(o.channel()) && userId.equals(o.userId())).size();
    }

    private static JsonNode get(com.pusher.rest.Pusher rest, String path, Map<String, String> params) {
        Result result = rest.get(path, params);
        assertThat(result.getHttpStatus()).as("GET %s: %s", path, result.getMessage()).isEqualTo(200);
        return Fixture.json(result.getMessage());
    }

    @Test
    void eventsPublishedOnEitherNodeReachSubscribersOnBoth() {
        String channel = "cluster-news";
        WsClient onA = client("on-a", nodeA.port());
        WsClient onB = client("on-b", nodeB.port());
        onA.subscribe(channel);
        onB.subscribe(channel);

        assertThat(restA.trigger(channel, "from-a", Map.of("n", 1)).getHttpStatus()).isEqualTo(200);
        onA.awaitEvent(channel, "from-a");
        onB.awaitEvent(channel, "from-a");

        // socket_id exclusion holds across nodes: the excluded client is on A, the publish on B.
        assertThat(restB.trigger(List.of(channel), "from-b", Map.of("n", 2), onA.socketId()).getHttpStatus()).isEqualTo(200);
        onB.awaitEvent(channel, "from-b");
        Fixture.marker(restB, channel, onA, onB);
        assertThat(onA.history(o -> "from-b".equals(o.name()))).as("events excluded by socket_id").isEmpty();
    }

    @Test
    void eventsFromOneNodeArriveInOrderOnTheOther() {
        String channel = "cluster-ordered";
        WsClient onB = client("on-b", nodeB.port());
        onB.subscribe(channel);
        for (int i = 0; i < 50; i++) {
            assertThat(restA.trigger(channel, "seq", Map.of("i", i)).getHttpStatus()).isEqualTo(200);
        }
        for (int i = 0; i < 50; i++) {
            WsClient.Obs event = onB.awaitEvent(channel, "seq");
            assertThat(Fixture.json(event.data()).get("i").asInt()).isEqualTo(i);
        }
    }

    @Test
    void channelQueriesCountEveryNode() {
        String channel = "cluster-counted";
        client("a1", nodeA.port()).subscribe(channel);
        client("b1", nodeB.port()).subscribe(channel);
        client("b2", nodeB.port()).subscribe(channel);
        String room = "presence-cluster-counted";
        member("seven-on-a", nodeA.port(), "7").subscribePresence(room);
        member("seven-on-b", nodeB.port(), "7").subscribePresence(room);
        member("eight-on-b", nodeB.port(), "8").subscribePresence(room);

        JsonNode info = get(restA, "/channels/" + channel, Map.of("info", "subscription_count"));
        assertThat(info.get("occupied").asBoolean()).isTrue();
        assertThat(info.get("subscription_count").asInt()).isEqualTo(3);

        JsonNode list = get(restA, "/channels", Map.of("filter_by_prefix", "cluster-"));
        assertThat(list.get("channels").has(channel)).as("channels listed by node A: %s", list).isTrue();

        JsonNode presence = get(restA, "/channels/" + room, Map.of("info", "user_count,subscription_count"));
        assertThat(presence.get("user_count").asInt()).as("user 7 on both nodes counts once").isEqualTo(2);
        assertThat(presence.get("subscription_count").asInt()).isEqualTo(3);

        JsonNode users = get(restB, "/channels/" + room + "/users", Map.of());
        List<String> userIds = new ArrayList<>();
        users.get("users").forEach(user -> userIds.add(user.get("id").asText()));
        assertThat(userIds).containsExactlyInAnyOrder("7", "8");
    }

    @Test
    void presenceSpansNodesWithOneEventPerUser() {
        String room = "presence-cluster-room";
        WsClient alice = member("alice-on-a", nodeA.port(), "1");
        alice.subscribePresence(room);
        WsClient carol = member("carol-on-b", nodeB.port(), "3");
        awaitMembers("Carol on B sees Alice on A", carol.subscribePresence(room), "1", "3");
        alice.await("member_added for Carol", o -> o.kind() == WsClient.Kind.MEMBER_ADDED && "3".equals(o.userId()));

        // Bob joins on B, then opens a second tab on A: one member_added for everyone.
        WsClient bob = member("bob-on-b", nodeB.port(), "2");
        PresenceChannel bobChannel = bob.subscribePresence(room);
        awaitMembers("Bob's members", bobChannel, "1", "2", "3");
        assertThat(bobChannel.getMe().getId()).isEqualTo("2");
        WsClient bobSecondTab = member("bob-on-a", nodeA.port(), "2");
        awaitMembers("the second tab's members", bobSecondTab.subscribePresence(room), "1", "2", "3");
        alice.await("member_added for Bob", o -> o.kind() == WsClient.Kind.MEMBER_ADDED && "2".equals(o.userId()));
        carol.await("member_added for Bob", o -> o.kind() == WsClient.Kind.MEMBER_ADDED && "2".equals(o.userId()));
        Fixture.marker(restA, room, alice, carol);
        assertThat(count(alice, WsClient.Kind.MEMBER_ADDED, room, "2")).as("member_added for Bob seen by Alice").isEqualTo(1);
        assertThat(count(carol, WsClient.Kind.MEMBER_ADDED, room, "2")).as("member_added for Bob seen by Carol").isEqualTo(1);

        // Bob closes the tab on B: he is still in the room on A, so nobody hears of it.
        bob.disconnectAndWait();
        // Then the one on A: now everyone hears member_removed, once.
        bobSecondTab.disconnectAndWait();
        alice.await("member_removed for Bob", o -> o.kind() == WsClient.Kind.MEMBER_REMOVED && "2".equals(o.userId()));
        carol.await("member_removed for Bob", o -> o.kind() == WsClient.Kind.MEMBER_REMOVED && "2".equals(o.userId()));
        Fixture.marker(restB, room, alice, carol);
        assertThat(count(alice, WsClient.Kind.MEMBER_REMOVED, room, "2")).isEqualTo(1);
        assertThat(count(carol, WsClient.Kind.MEMBER_REMOVED, room, "2")).isEqualTo(1);
    }

    @Test
    void terminateConnectionsReachesEveryNode() throws Exception {
        String userId = "terminated-" + UUID.randomUUID();
        Pusher onB = new Pusher(TestServers.APP_KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(nodeB.port())
                .setUseTLS(false).setUserAuthenticator(socketId -> UserSignInLibraryTest.authenticateUser(socketId, Map.of("id", userId))));
        clients.add(onB::disconnect);
        CountDownLatch connected = new CountDownLatch(1);
        CountDownLatch disconnected = new CountDownLatch(1);
        onB.connect(new ConnectionStateListener(connected, disconnected), ConnectionState.ALL);
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        onB.signin();
        // Signed in on B once its server-to-user channel is subscribed (the client exposes no event for it).
        Poll.until("signed in as " + userId, Duration.ofSeconds(10), Duration.ofMillis(10), () -> userId.equals(onB.user().userId())
                && onB.getChannel("#server-to-user-" + userId) != null && onB.getChannel("#server-to-user-" + userId).isSubscribed(),
                () -> "user " + onB.user().userId());

        Result result = restA.post("/users/" + userId + "/terminate_connections", "{}");
        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
        assertThat(disconnected.await(10, TimeUnit.SECONDS)).as("the client on node B was disconnected").isTrue();
    }

    /** Signs a raw client in as {@code userId}, watching {@code watched}. */
    private RawClient signedIn(Herald node, String userId, String... watched) {
        RawClient client = RawClient.connectEstablished(node.port(), WATCHING.key());
        clients.add(client);
        String userData = "{\"id\":\"" + userId + "\",\"watchlist\":[" + String.join(",",
                java.util.Arrays.stream(watched).map(id -> "\"" + id + "\"").toList()) + "]}";
        client.event("pusher:signin", null, RawClient.JSON.createObjectNode().put("user_data", userData)
                .put("auth", ApiSigner.signInAuth(WATCHING.key(), WATCHING.secret(), client.socketId(), userData)));
        client.expect("pusher:signin_success");
        return client;
    }

    /** The next watchlist event of {@code watcher}: "online u" or "offline u". */
    private static String nextWatchlistEvent(RawClient watcher) {
        JsonNode event = watcher.skipUntil("pusher_internal:watchlist_events").path("data").path("events").get(0);
        return event.path("name").asText() + " " + event.path("user_ids").get(0).asText();
    }

    /**
     * Watchlists span nodes: "online" when a user's first connection anywhere signs in, "offline"
     * when their last one anywhere closes, once each, whichever nodes the connections are on.
     */
    @Test
    void watchlistEventsSpanNodes() {
        RawClient watcher = signedIn(nodeA, "watcher", "star");
        RawClient starOnB = signedIn(nodeB, "star");
        assertThat(nextWatchlistEvent(watcher)).isEqualTo("online star");
        RawClient starOnA = signedIn(nodeA, "star"); // a second tab, on the watcher's node
        starOnB.close(); // still signed in on A: no "offline"
        starOnA.close();
        assertThat(nextWatchlistEvent(watcher)).as("after both tabs closed").isEqualTo("offline star");

        // A later watcher learns who is online on any node when it signs in.
        RawClient star = signedIn(nodeB, "star");
        assertThat(nextWatchlistEvent(watcher)).isEqualTo("online star");
        RawClient lateWatcher = signedIn(nodeA, "late-watcher", "star");
        assertThat(nextWatchlistEvent(lateWatcher)).isEqualTo("online star");
        star.close();
        assertThat(nextWatchlistEvent(watcher)).isEqualTo("offline star");
        assertThat(nextWatchlistEvent(lateWatcher)).isEqualTo("offline star");
    }

    /**
     * max_connections counts every node: with one connection on each of two nodes, a third one is
     * refused with 4004 on either node once the heartbeats (every second) have carried the counts.
     */
    @Test
    void maxConnectionsCountsEveryNode() throws InterruptedException {
        RawClient onA = RawClient.connectEstablished(nodeA.port(), LIMITED.key());
        clients.add(onA);
        RawClient onB = RawClient.connectEstablished(nodeB.port(), LIMITED.key());
        clients.add(onB);
        // A new connection is admitted until node A has heard of B's; then it must be refused.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RawClient.TIMEOUT_SECONDS);
        while (true) {
            try (RawClient third = RawClient.connect(nodeA.port(), LIMITED.key())) {
                JsonNode first = third.next();
                if (first.path("event").asText().equals("pusher:error")) {
                    assertThat(first.path("data").path("code").asInt()).as("%s", first).isEqualTo(4004);
                    assertThat(third.awaitClose().code()).isEqualTo(4004);
                    break;
                }
                assertThat(System.nanoTime()).as("refused within 10 s; last answer %s", first).isLessThan(deadline);
            }
            Thread.sleep(50); // the counts travel with the next heartbeat; nothing else to wait on
        }
        assertThat(onA.untilPong()).as("the admitted connections stay").isEmpty();
        assertThat(onB.untilPong()).isEmpty();
    }

    /** Counts the first CONNECTED and the first DISCONNECTED that follows it. */
    private record ConnectionStateListener(CountDownLatch connected, CountDownLatch disconnected)
            implements com.pusher.client.connection.ConnectionEventListener {
        @Override
        public void onConnectionStateChange(ConnectionStateChange change) {
            if (change.getCurrentState() == ConnectionState.CONNECTED) {
                connected.countDown();
            } else if (change.getCurrentState() == ConnectionState.DISCONNECTED && connected.getCount() == 0) {
                disconnected.countDown();
            }
        }

        @Override
        public void onError(String message, String code, Exception e) {}
    }

    /**
     * A third node, a process of its own, is killed with SIGKILL (no goodbye): its presence member
     * is removed on the surviving nodes, with one member_removed, within the documented time.
     */
    @Test
    void crashedNodesMembersAreRemoved() throws Exception {
        try (NodeProcess nodeC = NodeProcess.start(NodeProcess.freePort(), "\"adapter\": " + adapterJson(prefix),
                Map.of("INSTANCE_PROCESS_ID", "node-c-" + prefix))) {
            String room = "presence-cluster-crash";
            WsClient watcher = member("watcher-on-a", nodeA.port(), "watcher");
            watcher.subscribePresence(room);
            WsClient doomed = member("doomed-on-c", nodeC.port(), "doomed");
            doomed.subscribePresence(room);
            assertThat(ids(doomed.memberList(room))).containsExactlyInAnyOrder("watcher", "doomed");
            watcher.await("member_added for the user on node C",
                    o -> o.kind() == WsClient.Kind.MEMBER_ADDED && "doomed".equals(o.userId()));

            long killedAt = System.nanoTime();
            nodeC.kill();
            watcher.await("member_removed for the user of the crashed node",
                    o -> o.kind() == WsClient.Kind.MEMBER_REMOVED && "doomed".equals(o.userId()));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertThat(tookMillis).as("ms until the crashed node's member was removed")
                    .isLessThanOrEqualTo(ClusterAdapter.NODE_TIMEOUT_MILLIS + 2000);
            Fixture.marker(restB, room, watcher);
            assertThat(count(watcher, WsClient.Kind.MEMBER_REMOVED, room, "doomed")).isEqualTo(1);
            JsonNode users = get(restB, "/channels/" + room + "/users", Map.of());
            assertThat(users.get("users").size()).as("members left: %s", users).isEqualTo(1);
        }
    }
}
