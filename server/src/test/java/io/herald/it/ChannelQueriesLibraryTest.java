package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.data.Result;
import io.herald.testing.TestServers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channel queries through the official REST library's {@code get(...)} (pusher-http-java signs
 * them), with the channels occupied by official pusher-java-client connections.
 */
class ChannelQueriesLibraryTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();
    private static com.pusher.rest.Pusher rest;

    @BeforeAll
    static void startServer() {
        rest = fx.rest();
    }

    /** Every test starts on a server with no occupied channel, so channel lists can be asserted exactly. */
    @AfterEach
    void disconnectClients() {
        fx.closeClients();
        awaitGet("every channel to be vacated after the test's clients disconnected", "/channels", Map.of(),
                json -> json.path("channels").isEmpty());
    }

    private static WsClient member(String label, String userId) {
        return fx.client(label, TestServers.APP_KEY,
                Fixture.presenceAuthorizer(rest, userId, Map.of("name", label))).connect();
    }

    private static JsonNode okJson(Result result) {
        assertThat(result.getHttpStatus()).as("HTTP status (body %s)", result.getMessage()).isEqualTo(200);
        return Fixture.json(result.getMessage());
    }

    private static Map<String, String> params(String... keyValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static List<String> names(JsonNode channels) {
        List<String> names = new ArrayList<>();
        channels.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Polls GET {path} (every 20 ms, 10 s at most) until the answer satisfies {@code done}. */
    private static JsonNode awaitGet(String what, String path, Map<String, String> query, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.TIMEOUT_SECONDS);
        JsonNode last;
        while (true) {
            last = okJson(rest.get(path, query));
            if (done.test(last)) return last;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last answer " + last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Test
    void channelsListFiltersByPrefixAndCountsDistinctPresenceUsers() {
        String room = "presence-lib-room";
        String otherRoom = "presence-lib-other";
        WsClient alice = member("alice", "1");
        WsClient aliceSecondTab = member("alice-2", "1");
        WsClient bob = member("bob", "2");
        alice.subscribePresence(room);
        aliceSecondTab.subscribePresence(room);
        bob.subscribePresence(room);
        bob.subscribePresence(otherRoom);
        WsClient reader = fx.client("reader").connect();
        reader.subscribe("lib-public");
        fx.client("private-reader", rest).connect().subscribePrivate("private-lib");

        JsonNode all = okJson(rest.get("/channels")).path("channels");
        assertThat(names(all)).containsExactlyInAnyOrder(room, otherRoom, "lib-public", "private-lib");
        assertThat(all.path("lib-public").size()).as("no attributes unless asked").isZero();

        JsonNode presence = okJson(rest.get("/channels",
                params("filter_by_prefix", "presence-", "info", "user_count"))).path("channels");
        assertThat(names(presence)).containsExactlyInAnyOrder(room, otherRoom);
        assertThat(presence.path(room).path("user_count").asInt(-1))
                .as("distinct users in %s (alice has two connections)", room).isEqualTo(2);
        assertThat(presence.path(otherRoom).path("user_count").asInt(-1)).isEqualTo(1);

        JsonNode privates = okJson(rest.get("/channels", params("filter_by_prefix", "private-"))).path("channels");
        assertThat(names(privates)).containsExactly("private-lib");

        Result userCountWithoutPresencePrefix = rest.get("/channels", params("info", "user_count"));
        assertThat(userCountWithoutPresencePrefix.getHttpStatus())
                .as("info=user_count without filter_by_prefix=presence- (body %s)", userCountWithoutPresencePrefix.getMessage())
                .isEqualTo(400);

        // Bob leaves: his own room is vacated and disappears from the list; the shared one counts one user.
        bob.disconnectAndWait();
        JsonNode after = awaitGet("presence channels after bob left", "/channels",
                params("filter_by_prefix", "presence-", "info", "user_count"),
                json -> !json.path("channels").has(otherRoom));
        assertThat(names(after.path("channels"))).containsExactly(room);
        assertThat(after.path("channels").path(room).path("user_count").asInt(-1)).isEqualTo(1);
    }

    @Test
    void channelInfoReportsOccupationAndCounts() {
        String channel = "lib-counted";
        WsClient first = fx.client("first").connect();
        WsClient second = fx.client("second").connect();
        first.subscribe(channel);
        second.subscribe(channel);

        JsonNode info = okJson(rest.get("/channels/" + channel, params("info", "subscription_count")));
        assertThat(info.path("occupied").asBoolean(false)).isTrue();
        assertThat(info.path("subscription_count").asInt(-1)).isEqualTo(2);

        JsonNode plain = okJson(rest.get("/channels/" + channel));
        assertThat(plain.path("occupied").asBoolean(false)).isTrue();
        assertThat(plain.has("subscription_count")).as("no count unless asked: %s", plain).isFalse();

        JsonNode empty = okJson(rest.get("/channels/lib-nobody-here", params("info", "subscription_count")));
        assertThat(empty.path("occupied").asBoolean(true)).as("an unoccupied channel: %s", empty).isFalse();

        Result userCountOnPublic = rest.get("/channels/" + channel, params("info", "user_count"));
        assertThat(userCountOnPublic.getHttpStatus())
                .as("user_count on a public channel (body %s)", userCountOnPublic.getMessage()).isEqualTo(400);

        String room = "presence-lib-info";
        member("carol", "3").subscribePresence(room);
        member("carol-2", "3").subscribePresence(room);
        member("dave", "4").subscribePresence(room);
        JsonNode roomInfo = okJson(rest.get("/channels/" + room, params("info", "subscription_count,user_count")));
        assertThat(roomInfo.path("occupied").asBoolean(false)).isTrue();
        assertThat(roomInfo.path("user_count").asInt(-1)).as("distinct users").isEqualTo(2);
        assertThat(roomInfo.path("subscription_count").asInt(-1)).as("connections").isEqualTo(3);

        second.disconnectAndWait();
        awaitGet("subscription_count 1 after one subscriber left", "/channels/" + channel,
                params("info", "subscription_count"), json -> json.path("subscription_count").asInt(-1) == 1);
    }

    @Test
    void usersOfAPresenceChannelAreListedOncePerUser() {
        String room = "presence-lib-users";
        WsClient erin = member("erin", "5");
        member("erin-2", "5").subscribePresence(room);
        erin.subscribePresence(room);
        member("frank", "6").subscribePresence(room);

        JsonNode users = okJson(rest.get("/channels/" + room + "/users")).path("users");
        List<String> ids = new ArrayList<>();
        users.forEach(u -> ids.add(u.path("id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("5", "6");

        Result notPresence = rest.get("/channels/lib-public-users/users");
        assertThat(notPresence.getHttpStatus())
                .as("users of a non-presence channel (body %s)", notPresence.getMessage()).isEqualTo(400);
    }
}
