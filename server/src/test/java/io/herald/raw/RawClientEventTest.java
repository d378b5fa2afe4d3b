package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client events over a raw WebSocket. Refusals are checked with a barrier: after the refused
 * event the sender sends a valid client event on a private channel both share, and the receiver's
 * next message must be that valid one.
 */
class RawClientEventTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final String SECRET = TestServers.APP_SECRET;
    private static final String SHARED = "private-shared";

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.defaultApp());
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private static void subscribeAuthed(RawClient client, String channel) {
        if (channel.startsWith("private-")) {
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), null);
        } else {
            client.subscribe(channel);
        }
        client.expectSubscribed(channel);
    }

    private static String data(String marker) {
        return "{\"marker\":\"" + marker + "\"}";
    }

    private static void sendBarrierAndExpectItFirst(RawClient sender, RawClient receiver) {
        sender.event("client-barrier", SHARED, RawClient.JSON.createObjectNode().put("marker", "barrier"));
        assertThat(sender.untilPong()).as("sender gets nothing back for a valid client event").isEmpty();
        JsonNode next = receiver.next();
        assertThat(next.path("event").asText()).as("receiver's next message %s", next).isEqualTo("client-barrier");
        assertThat(next.path("channel").asText()).isEqualTo(SHARED);
    }

    @Test
    void clientEventOnPrivateChannelReachesOthersButNotSender() {
        try (RawClient sender = RawClient.connectEstablished(port, KEY);
                RawClient receiver = RawClient.connectEstablished(port, KEY)) {
            subscribeAuthed(sender, SHARED);
            subscribeAuthed(receiver, SHARED);
            sender.event("client-hello", SHARED, RawClient.JSON.createObjectNode().put("x", 1));
            JsonNode got = receiver.expect("client-hello");
            assertThat(got.path("channel").asText()).isEqualTo(SHARED);
            assertThat(got.path("data").path("x").asInt()).isEqualTo(1);
            assertThat(sender.untilPong()).isEmpty();
        }
    }

    @Test
    void clientEventOnPublicChannelIsRefused() {
        try (RawClient sender = RawClient.connectEstablished(port, KEY);
                RawClient receiver = RawClient.connectEstablished(port, KEY)) {
            subscribeAuthed(sender, SHARED);
            subscribeAuthed(receiver, SHARED);
            subscribeAuthed(sender, "public-room");
            subscribeAuthed(receiver, "public-room");

            sender.send("{\"event\":\"client-nope\",\"channel\":\"public-room\",\"data\":" + data("public") + "}");
            sender.expectError(null);
            sendBarrierAndExpectItFirst(sender, receiver);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void clientEventOnChannelNotSubscribedIsRefused() {
        try (RawClient sender = RawClient.connectEstablished(port, KEY);
                RawClient receiver = RawClient.connectEstablished(port, KEY)) {
            subscribeAuthed(sender, SHARED);
            subscribeAuthed(receiver, SHARED);
            subscribeAuthed(receiver, "private-only-receiver");

            sender.send("{\"event\":\"client-sneak\",\"channel\":\"private-only-receiver\",\"data\":"
                    + data("sneak") + "}");
            sender.expectError(null);
            sendBarrierAndExpectItFirst(sender, receiver);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void nonClientEventNameOnPrivateChannelIsAnUnknownEvent() {
        try (RawClient sender = RawClient.connectEstablished(port, KEY);
                RawClient receiver = RawClient.connectEstablished(port, KEY)) {
            subscribeAuthed(sender, SHARED);
            subscribeAuthed(receiver, SHARED);

            sender.send("{\"event\":\"hello\",\"channel\":\"" + SHARED + "\",\"data\":" + data("hello") + "}");
            sender.expectError(null);
            sendBarrierAndExpectItFirst(sender, receiver);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void clientEventOnPrivateEncryptedChannelIsRefused() {
        String encrypted = "private-encrypted-room";
        try (RawClient sender = RawClient.connectEstablished(port, KEY);
                RawClient receiver = RawClient.connectEstablished(port, KEY)) {
            subscribeAuthed(sender, SHARED);
            subscribeAuthed(receiver, SHARED);
            subscribeAuthed(sender, encrypted);
            subscribeAuthed(receiver, encrypted);

            sender.send("{\"event\":\"client-secret\",\"channel\":\"" + encrypted + "\",\"data\":"
                    + "{\"ciphertext\":\"abc\",\"nonce\":\"def\"}}");
            sender.expectError(null);
            sendBarrierAndExpectItFirst(sender, receiver);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void clientEventOverThePayloadLimitIsRefused() {
        App oneKb = App.builder("small-app", "small-key", "small-secret").enableClientMessages(true)
                .maxEventPayloadInKb(1).build();
        try (Herald small = TestServers.start(oneKb);
                RawClient sender = RawClient.connectEstablished(small.port(), "small-key");
                RawClient receiver = RawClient.connectEstablished(small.port(), "small-key")) {
            for (RawClient client : List.of(sender, receiver)) {
                client.subscribe(SHARED, ApiSigner.channelAuth("small-key", "small-secret", client.socketId(), SHARED), null);
                client.expectSubscribed(SHARED);
            }
            sender.send("{\"event\":\"client-big\",\"channel\":\"" + SHARED + "\",\"data\":\"" + "x".repeat(2048) + "\"}");
            assertThat(sender.expectError(null).path("message").asText()).contains("limit is 1 KB");

            sender.send("{\"event\":\"client-small\",\"channel\":\"" + SHARED + "\",\"data\":\"ok\"}");
            assertThat(receiver.next().path("event").asText()).as("the refused event never arrives").isEqualTo("client-small");
        }
    }

    @Test
    void clientEventOnPresenceCarriesUserId() {
        String channel = "presence-chat";
        try (RawClient sender = RawClient.connectEstablished(port, KEY);
                RawClient receiver = RawClient.connectEstablished(port, KEY)) {
            for (RawClient c : List.of(sender, receiver)) {
                String channelData = "{\"user_id\":\"" + (c == sender ? "s" : "r") + "\"}";
                c.subscribe(channel, ApiSigner.presenceAuth(KEY, SECRET, c.socketId(), channel, channelData),
                        channelData);
                c.expectSubscribed(channel);
            }
            sender.expect("pusher_internal:member_added");
            sender.event("client-typing", channel, RawClient.JSON.createObjectNode());
            JsonNode got = receiver.expect("client-typing");
            assertThat(got.path("user_id").asText()).isEqualTo("s");
        }
    }
}
