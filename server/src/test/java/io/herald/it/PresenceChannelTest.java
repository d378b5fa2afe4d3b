package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PresenceChannel;
import com.pusher.client.channel.User;
import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.data.Result;
import io.herald.testing.TestServers;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Presence channels: member lists, member_added/member_removed per distinct user, not per connection. */
class PresenceChannelTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();
    private static com.pusher.rest.Pusher rest;

    @BeforeAll
    static void startServer() {
        rest = fx.rest();
    }

    private static WsClient user(String label, String userId, String name) {
        return fx.client(label, TestServers.APP_KEY,
                Fixture.presenceAuthorizer(rest, userId, Map.of("name", name))).connect();
    }

    private static Set<String> ids(Set<User> users) {
        return users.stream().map(User::getId).collect(Collectors.toSet());
    }

    private static List<WsClient.Obs> memberEvents(WsClient c, WsClient.Kind kind, String channel, String userId) {
        return c.history(o -> o.kind() == kind && channel.equals(o.channel()) && userId.equals(o.userId()));
    }

    @Test
    void membersJoinAndLeavePerDistinctUser() {
        String room = "presence-room";

        // Alice (user 1) joins alone.
        WsClient alice = user("alice", "1", "Alice");
        PresenceChannel aliceChannel = alice.subscribePresence(room);
        Set<User> aliceList = alice.memberList(room);
        assertThat(ids(aliceList)).containsExactly("1");
        assertThat(aliceChannel.getMe()).isNotNull();
        assertThat(aliceChannel.getMe().getId()).isEqualTo("1");
        assertThat(Fixture.json(aliceChannel.getMe().getInfo())).isEqualTo(Fixture.json("{\"name\":\"Alice\"}"));

        // Bob (user 2) joins: he sees both members, Alice gets member_added with his user_info.
        WsClient bob = user("bob", "2", "Bob");
        PresenceChannel bobChannel = bob.subscribePresence(room);
        Set<User> bobList = bob.memberList(room);
        assertThat(ids(bobList)).containsExactlyInAnyOrder("1", "2");
        assertThat(bobList).allSatisfy(u -> assertThat(u.getInfo()).isNotNull());
        assertThat(bobChannel.getMe().getId()).isEqualTo("2");
        User aliceAsSeenByBob = bobList.stream().filter(u -> u.getId().equals("1")).findFirst().orElseThrow();
        assertThat(Fixture.json(aliceAsSeenByBob.getInfo())).isEqualTo(Fixture.json("{\"name\":\"Alice\"}"));

        WsClient.Obs added = alice.await("member_added for user 2",
                o -> o.kind() == WsClient.Kind.MEMBER_ADDED && "2".equals(o.userId()));
        assertThat(Fixture.json(added.data())).isEqualTo(Fixture.json("{\"name\":\"Bob\"}"));

        // Bob opens a second connection as the same user: no new member for anyone, still 2 distinct users.
        WsClient bob2 = user("bob-second-tab", "2", "Bob");
        PresenceChannel bob2Channel = bob2.subscribePresence(room);
        Set<User> bob2List = bob2.memberList(room);
        assertThat(ids(bob2List)).containsExactlyInAnyOrder("1", "2");
        assertThat(bob2List).hasSize(2);
        assertThat(bob2Channel.getMe().getId()).isEqualTo("2");

        Fixture.marker(rest, room, alice, bob);
        assertThat(memberEvents(alice, WsClient.Kind.MEMBER_ADDED, room, "2"))
                .as("member_added events for user 2 seen by Alice after Bob's second connection joined")
                .hasSize(1);
        assertThat(memberEvents(bob, WsClient.Kind.MEMBER_ADDED, room, "2"))
                .as("member_added for himself seen by Bob's first connection")
                .isEmpty();
        assertThat(ids(aliceChannel.getUsers())).containsExactlyInAnyOrder("1", "2");

        // Bob's second connection leaves: Bob is still present, nobody sees member_removed.
        bob2.disconnectAndWait();
        Fixture.marker(rest, room, alice, bob);
        assertThat(memberEvents(alice, WsClient.Kind.MEMBER_REMOVED, room, "2"))
                .as("member_removed for user 2 after only one of his two connections left")
                .isEmpty();

        // Bob's last connection leaves: Alice sees member_removed exactly once.
        bob.disconnectAndWait();
        alice.await("member_removed for user 2",
                o -> o.kind() == WsClient.Kind.MEMBER_REMOVED && "2".equals(o.userId()));
        Fixture.marker(rest, room, alice);
        assertThat(memberEvents(alice, WsClient.Kind.MEMBER_REMOVED, room, "2"))
                .as("member_removed events for user 2")
                .hasSize(1);
        assertThat(ids(aliceChannel.getUsers())).containsExactly("1");
    }

    @Test
    void httpUsersEndpointListsDistinctUsers() {
        String room = "presence-users-endpoint";
        WsClient carol = user("carol", "3", "Carol");
        carol.subscribePresence(room);
        WsClient dave = user("dave", "4", "Dave");
        dave.subscribePresence(room);
        WsClient dave2 = user("dave-second-tab", "4", "Dave");
        dave2.subscribePresence(room);

        Result result = rest.get("/channels/" + room + "/users");

        assertThat(result.getHttpStatus()).as("GET users response body: %s", result.getMessage()).isEqualTo(200);
        JsonNode users = Fixture.json(result.getMessage()).path("users");
        assertThat(users.isArray()).as("users array in %s", result.getMessage()).isTrue();
        List<String> ids = StreamSupport.stream(users.spliterator(), false)
                .map(u -> u.path("id").asText())
                .toList();
        assertThat(ids).containsExactlyInAnyOrder("3", "4");
    }
}
