package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.ChannelAuthorizer;
import com.pusher.client.channel.PrivateChannel;
import com.pusher.client.connection.ConnectionState;
import com.pusher.rest.data.Result;
import io.herald.testing.TestServers;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Private channels: authorized with the REST library's signature, refused with a forged one. */
class PrivateChannelTest {
    private static final String FORGED = "{\"auth\":\"" + TestServers.APP_KEY + ":" + "0".repeat(64) + "\"}";

    @RegisterExtension
    static final Fixture fx = Fixture.serving();
    private static com.pusher.rest.Pusher rest;

    @BeforeAll
    static void startServer() {
        rest = fx.rest();
    }

    @Test
    void authorizedSubscriberReceivesEvents() {
        WsClient client = fx.client("private", rest).connect();
        PrivateChannel channel = client.subscribePrivate("private-orders");

        Result result = rest.trigger("private-orders", "order-placed", Map.of("id", "42"));

        assertThat(result.getHttpStatus()).as("trigger response body: %s", result.getMessage()).isEqualTo(200);
        WsClient.Obs event = client.awaitEvent("private-orders", "order-placed");
        assertThat(Fixture.json(event.data()).path("id").asText()).isEqualTo("42");
        assertThat(channel.isSubscribed()).isTrue();
    }

    @Test
    void forgedSignatureIsRefusedWith4009AndConnectionStaysUsable() {
        ChannelAuthorizer realAuth = Fixture.privateAuthorizer(rest);
        ChannelAuthorizer authorizer = (channelName, socketId) ->
                channelName.equals("private-forged") ? FORGED : realAuth.authorize(channelName, socketId);
        WsClient client = fx.client("forger", TestServers.APP_KEY, authorizer).connect();

        PrivateChannel forged = client.startSubscribePrivate("private-forged");

        WsClient.Obs error = client.awaitError("4009");
        assertThat(error.code()).isEqualTo("4009");
        assertThat(forged.isSubscribed()).isFalse();

        // The same connection still works: a properly signed subscription succeeds and receives events.
        PrivateChannel good = client.subscribePrivate("private-good");
        assertThat(good.isSubscribed()).isTrue();
        Result result = rest.trigger("private-good", "hello", Map.of("ok", "yes"));
        assertThat(result.getHttpStatus()).as("trigger response body: %s", result.getMessage()).isEqualTo(200);
        client.awaitEvent("private-good", "hello");

        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(client.history(o -> o.kind() == WsClient.Kind.STATE))
                .as("connection state changes (must never leave CONNECTED after the auth failure)")
                .extracting(WsClient.Obs::state)
                .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
        assertThat(client.history(o -> o.kind() == WsClient.Kind.SUBSCRIBED && "private-forged".equals(o.channel())))
                .as("subscription_succeeded for the forged channel")
                .isEmpty();
        // And the refused channel never got the event published to it.
        Fixture.marker(rest, "private-good", client);
        Result toForged = rest.trigger("private-forged", "secret", Map.of("x", "1"));
        assertThat(toForged.getHttpStatus()).isEqualTo(200);
        Fixture.marker(rest, "private-good", client);
        assertThat(client.history(o -> o.kind() == WsClient.Kind.EVENT && "secret".equals(o.name())))
                .as("events delivered on the refused channel")
                .isEmpty();
    }
}
