package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PresenceChannel;
import com.pusher.client.channel.PrivateChannel;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Client events (client-*) sent by pusher-java-client over the WebSocket. */
class ClientEventsTest {
    private static final String QUIET_ID = "quiet-app";
    private static final String QUIET_KEY = "quiet-key";
    private static final String QUIET_SECRET = "quiet-secret";

    @RegisterExtension
    static final Fixture fx = Fixture.serving(TestServers.defaultApp(), App.of(QUIET_ID, QUIET_KEY, QUIET_SECRET));
    private static com.pusher.rest.Pusher rest;
    private static com.pusher.rest.Pusher quietRest;

    @BeforeAll
    static void startServer() {
        // The default app allows client events; the "quiet" app (App.of defaults) does not.
        rest = fx.rest();
        quietRest = fx.rest(QUIET_ID, QUIET_KEY, QUIET_SECRET);
    }

    @Test
    void clientEventOnPrivateChannelReachesOthersButNotSender() {
        WsClient a = fx.client("A", rest).connect();
        WsClient b = fx.client("B", rest).connect();
        PrivateChannel channelA = a.subscribePrivate("private-chat");
        b.subscribePrivate("private-chat");

        channelA.trigger("client-x", "{\"text\":\"hi\"}");

        WsClient.Obs received = b.awaitEvent("private-chat", "client-x");
        assertThat(Fixture.json(received.data())).isEqualTo(Fixture.json("{\"text\":\"hi\"}"));
        Fixture.marker(rest, "private-chat", a, b);
        assertThat(a.history(o -> o.kind() == WsClient.Kind.EVENT && "client-x".equals(o.name())))
                .as("client event echoed back to its sender")
                .isEmpty();
        assertThat(a.history(o -> o.kind() == WsClient.Kind.ERROR))
                .as("errors reported to the sender")
                .isEmpty();
    }

    @Test
    void clientEventOnPresenceChannelCarriesSenderUserId() {
        WsClient alice = fx.client("alice", TestServers.APP_KEY,
                Fixture.presenceAuthorizer(rest, "user-alice", Map.of("name", "Alice"))).connect();
        WsClient bob = fx.client("bob", TestServers.APP_KEY,
                Fixture.presenceAuthorizer(rest, "user-bob", Map.of("name", "Bob"))).connect();
        PresenceChannel aliceChannel = alice.subscribePresence("presence-chat");
        bob.subscribePresence("presence-chat");

        aliceChannel.trigger("client-typing", "{\"typing\":true}");

        WsClient.Obs received = bob.awaitEvent("presence-chat", "client-typing");
        assertThat(received.userId()).as("user_id on the delivered client event").isEqualTo("user-alice");
        assertThat(Fixture.json(received.data())).isEqualTo(Fixture.json("{\"typing\":true}"));
        Fixture.marker(rest, "presence-chat", alice);
        assertThat(alice.history(o -> o.kind() == WsClient.Kind.EVENT && "client-typing".equals(o.name())))
                .as("client event echoed back to its sender")
                .isEmpty();
    }

    @Test
    void clientEventIsNotDeliveredWhenAppDisablesClientMessages() {
        WsClient a = fx.client("quiet-A", QUIET_KEY, Fixture.privateAuthorizer(quietRest)).connect();
        WsClient b = fx.client("quiet-B", QUIET_KEY, Fixture.privateAuthorizer(quietRest)).connect();
        PrivateChannel channelA = a.subscribePrivate("private-quiet");
        b.subscribePrivate("private-quiet");

        channelA.trigger("client-x", "{\"text\":\"should not pass\"}");

        // The sender is told (pusher:error); wait for that so the server has handled the event.
        WsClient.Obs error = a.await("pusher:error for the refused client event", o -> o.kind() == WsClient.Kind.ERROR);
        assertThat(error).isNotNull();
        Fixture.marker(quietRest, "private-quiet", b);
        assertThat(b.history(o -> o.kind() == WsClient.Kind.EVENT && "client-x".equals(o.name())))
                .as("client event delivered although the app disables client messages")
                .isEmpty();
        assertThat(b.history(o -> o.kind() == WsClient.Kind.SUBSCRIBED && "private-quiet".equals(o.channel())))
                .hasSize(1);
    }
}
