package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pusher:signin, #server-to-user channels, terminate_connections, watchlists and the sign-in deadline. */
class RawSignInTest {
    private static final App PLAIN = TestServers.defaultApp();
    private static final App WATCHING = TestServers.appWithUserFeatures("watching", false, true);
    private static final App STRICT = TestServers.appWithUserFeatures("strict", true, false);

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.withUserAuthenticationTimeout(TestServers.config(PLAIN, WATCHING, STRICT), 1));
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static RawClient connect(App app) {
        return RawClient.connectEstablished(port, app.key());
    }

    private static void sendSignIn(RawClient client, App app, String userData) {
        client.event("pusher:signin", null, RawClient.JSON.createObjectNode()
                .put("user_data", userData)
                .put("auth", ApiSigner.signInAuth(app.key(), app.secret(), client.socketId(), userData)));
    }

    private static JsonNode signIn(RawClient client, App app, String userData) {
        sendSignIn(client, app, userData);
        JsonNode success = client.expect("pusher:signin_success");
        assertThat(RawClient.JSON.valueToTree(success.path("data").asText()).asText()).isNotEmpty();
        return success;
    }

    private static ApiClient api(App app) {
        return new ApiClient(port, app.key(), app.secret());
    }

    @Test
    void signInSucceedsAndEchoesUserData() throws Exception {
        try (RawClient client = connect(PLAIN)) {
            String userData = "{\"id\":\"u1\",\"user_info\":{\"name\":\"Ann\"}}";
            JsonNode success = signIn(client, PLAIN, userData);
            JsonNode data = RawClient.JSON.readTree(success.path("data").asText());
            assertThat(data.path("user_data").asText()).isEqualTo(userData);
        }
    }

    @Test
    void badSignatureOrUserDataIsRefusedAndTheConnectionStays() {
        try (RawClient client = connect(PLAIN)) {
            client.event("pusher:signin", null, RawClient.JSON.createObjectNode()
                    .put("user_data", "{\"id\":\"u1\"}").put("auth", PLAIN.key() + ":" + "0".repeat(64)));
            assertThat(client.expectError(4009).path("message").asText()).contains("Invalid signature");
            sendSignIn(client, PLAIN, "{\"name\":\"no id\"}");
            assertThat(client.expectError(4009).path("message").asText()).contains("id");
            sendSignIn(client, PLAIN, "{\"id\":42}");
            client.expectError(4009);
            client.subscribeOk("still-open");
        }
    }

    @Test
    void aConnectionCannotSwitchUsers() {
        try (RawClient client = connect(PLAIN)) {
            signIn(client, PLAIN, "{\"id\":\"first\"}");
            sendSignIn(client, PLAIN, "{\"id\":\"second\"}");
            assertThat(client.expectError(4009).path("message").asText()).contains("already signed in");
        }
    }

    @Test
    void serverToUserChannelReachesEveryConnectionOfThatUserOnly() {
        try (RawClient tab1 = connect(PLAIN); RawClient tab2 = connect(PLAIN); RawClient other = connect(PLAIN)) {
            for (RawClient tab : new RawClient[] {tab1, tab2}) {
                signIn(tab, PLAIN, "{\"id\":\"s2u\"}");
                tab.subscribeOk("#server-to-user-s2u");
            }
            signIn(other, PLAIN, "{\"id\":\"someone-else\"}");
            other.subscribe("#server-to-user-s2u");
            other.expectError(4009);

            String body = "{\"name\":\"note\",\"channel\":\"#server-to-user-s2u\",\"data\":\"hi\"}";
            assertThat(api(PLAIN).post("/apps/" + PLAIN.id() + "/events", body).statusCode()).isEqualTo(200);
            assertThat(tab1.expect("note").path("data").asText()).isEqualTo("hi");
            assertThat(tab2.expect("note").path("data").asText()).isEqualTo("hi");
            assertThat(other.untilPong()).isEmpty();
        }
    }

    @Test
    void notSignedInCannotSubscribeToServerToUser() {
        try (RawClient client = connect(PLAIN)) {
            client.subscribe("#server-to-user-anyone");
            client.expectError(4009);
        }
    }

    @Test
    void terminateConnectionsClosesEveryConnectionOfTheUserWith4009() {
        try (RawClient tab1 = connect(PLAIN); RawClient tab2 = connect(PLAIN); RawClient bystander = connect(PLAIN)) {
            signIn(tab1, PLAIN, "{\"id\":\"doomed\"}");
            signIn(tab2, PLAIN, "{\"id\":\"doomed\"}");
            signIn(bystander, PLAIN, "{\"id\":\"fine\"}");
            var response = api(PLAIN).post("/apps/" + PLAIN.id() + "/users/doomed/terminate_connections", "");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{}");
            assertThat(tab1.expectError(4009).path("message").asText()).contains("terminated");
            assertThat(tab1.awaitClose().code()).isEqualTo(4009);
            assertThat(tab2.awaitClose().code()).isEqualTo(4009);
            bystander.subscribeOk("bystander-still-here");
        }
    }

    @Test
    void watchlistReportsWhoIsOnlineThenChanges() {
        try (RawClient bob = connect(WATCHING); RawClient alice = connect(WATCHING)) {
            signIn(bob, WATCHING, "{\"id\":\"bob\"}");
            signIn(alice, WATCHING, "{\"id\":\"alice\",\"watchlist\":[\"bob\",\"carol\"]}");
            assertThat(watchlistEvent(alice.expect("pusher_internal:watchlist_events"))).isEqualTo(Map.of("online", "bob"));

            RawClient carol = connect(WATCHING);
            signIn(carol, WATCHING, "{\"id\":\"carol\"}");
            assertThat(watchlistEvent(alice.expect("pusher_internal:watchlist_events"))).isEqualTo(Map.of("online", "carol"));

            carol.close();
            assertThat(watchlistEvent(alice.expect("pusher_internal:watchlist_events"))).isEqualTo(Map.of("offline", "carol"));
        }
    }

    @Test
    void watchlistOverOneHundredIsCutWith4302ButSignInSucceeds() {
        try (RawClient client = connect(WATCHING)) {
            String ids = IntStream.range(0, 101).mapToObj(i -> "\"w" + i + "\"").collect(Collectors.joining(","));
            sendSignIn(client, WATCHING, "{\"id\":\"big-watcher\",\"watchlist\":[" + ids + "]}");
            client.expect("pusher:signin_success");
            assertThat(client.expectError(4302).path("message").asText()).contains("first 100");
        }
    }

    @Test
    void watchlistEventsAreOffUnlessTheAppEnablesThem() {
        try (RawClient bob = connect(PLAIN); RawClient alice = connect(PLAIN)) {
            signIn(bob, PLAIN, "{\"id\":\"plain-bob\"}");
            signIn(alice, PLAIN, "{\"id\":\"plain-alice\",\"watchlist\":[\"plain-bob\"]}");
            assertThat(alice.untilPong()).isEmpty();
        }
    }

    @Test
    void appRequiringAuthenticationClosesSilentConnectionsWith4009() {
        try (RawClient silent = connect(STRICT); RawClient signedIn = connect(STRICT); RawClient privateOnly = connect(STRICT)) {
            signIn(signedIn, STRICT, "{\"id\":\"strict-user\"}");
            privateOnly.subscribe("private-strict", ApiSigner.channelAuth(STRICT.key(), STRICT.secret(),
                    privateOnly.socketId(), "private-strict"), null);
            privateOnly.expectSubscribed("private-strict");

            assertThat(silent.awaitClose().code()).isEqualTo(4009);
            // The deadline has passed for all three; the two that authenticated are still served.
            signedIn.subscribeOk("after-deadline-1");
            privateOnly.subscribeOk("after-deadline-2");
        }
    }

    /** {name: first user id} of a watchlist_events message's single event. */
    private static Map<String, String> watchlistEvent(JsonNode message) {
        JsonNode data = message.path("data");
        if (data.isTextual()) {
            data = RawClient.JSON.valueToTree(data.asText());
        }
        JsonNode event = data.path("events").path(0);
        return Map.of(event.path("name").asText(), event.path("user_ids").path(0).asText());
    }
}
