package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static io.herald.raw.RawClient.parseData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pusher:subscribe over a raw WebSocket: names, private and presence auth, idempotence. */
class RawSubscriptionTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final String SECRET = TestServers.APP_SECRET;
    private static final App OTHER = App.of("other-id", "other-key", "other-secret");

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.defaultApp(), OTHER);
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private static List<String> events(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("event").asText()).toList();
    }

    /** After a refused subscription: no subscription_succeeded, connection open, server healthy. */
    private static void assertRefusedAndAlive(RawClient client) {
        assertThat(events(client.untilPong())).doesNotContain("pusher_internal:subscription_succeeded");
        assertThat(client.isClosed()).isFalse();
        assertServerServes(port, KEY);
    }

    @Test
    void publicChannelSubscriptionSucceedsWithEmptyObjectData() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribe("my-channel_1=@,.;-A");
            JsonNode ok = client.expectSubscribed("my-channel_1=@,.;-A");
            assertThat(parseData(ok).isObject()).isTrue();
        }
    }

    @Test
    void channelOfMaximumLengthIsAccepted() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("c".repeat(200));
        }
    }

    @Test
    void invalidChannelNamesAreRefused() {
        for (String name : List.of("bad name!", "", "c".repeat(201), "#server-to-user-x")) {
            try (RawClient client = RawClient.connectEstablished(port, KEY)) {
                client.subscribe(name);
                JsonNode error = client.expectError();
                assertThat(error.get("code").isNull() || error.get("code").asInt() == 4009)
                        .as("code 4009 or null for '%s': %s", name, error).isTrue();
                assertRefusedAndAlive(client);
                client.subscribeOk("valid-after-bad-name");
            }
        }
    }

    @Test
    void subscribeWithoutChannelIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"pusher:subscribe\",\"data\":{}}");
            client.expectError();
            assertRefusedAndAlive(client);
        }
    }

    @Test
    void privateChannelWithGoodSignatureSucceeds() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "private-good";
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), null);
            client.expectSubscribed(channel);
        }
    }

    @Test
    void privateChannelWithWrongSignatureIs4009AndConnectionStays() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "private-wrong-sig";
            // signed for another channel
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), "private-other"), null);
            client.expectError(4009);
            assertRefusedAndAlive(client);
            // and for another socket
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, "1.1", channel), null);
            client.expectError(4009);
            assertRefusedAndAlive(client);
            // missing auth
            client.subscribe(channel);
            client.expectError(4009);
            assertRefusedAndAlive(client);
            // the same connection can still subscribe properly
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), null);
            client.expectSubscribed(channel);
        }
    }

    @Test
    void privateChannelAuthWithAnotherAppsKeyIs4009() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "private-cross-app";
            client.subscribe(channel,
                    ApiSigner.channelAuth(OTHER.key(), OTHER.secret(), client.socketId(), channel), null);
            client.expectError(4009);
            assertRefusedAndAlive(client);
        }
    }

    @Test
    void privateEncryptedChannelIsAuthorizedLikePrivate() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "private-encrypted-secret";
            client.subscribe(channel, ApiSigner.channelAuth(KEY, "wrong-secret", client.socketId(), channel), null);
            client.expectError(4009);
            assertRefusedAndAlive(client);
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), null);
            client.expectSubscribed(channel);
        }
    }

    @Test
    void presenceWithoutChannelDataIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "presence-no-data";
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), null);
            client.expectError();
            assertRefusedAndAlive(client);
        }
    }

    @Test
    void presenceWithInvalidChannelDataJsonIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "presence-bad-json";
            String channelData = "{not json";
            client.subscribe(channel, ApiSigner.presenceAuth(KEY, SECRET, client.socketId(), channel, channelData),
                    channelData);
            client.expectError();
            assertRefusedAndAlive(client);
        }
    }

    @Test
    void presenceWithoutUserIdIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "presence-no-user";
            String channelData = "{\"user_info\":{\"name\":\"nobody\"}}";
            client.subscribe(channel, ApiSigner.presenceAuth(KEY, SECRET, client.socketId(), channel, channelData),
                    channelData);
            client.expectError();
            assertRefusedAndAlive(client);
        }
    }

    @Test
    void presenceWithOversizedUserInfoIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "presence-big-info";
            String channelData = "{\"user_id\":\"big\",\"user_info\":{\"name\":\"" + "x".repeat(3 * 1024) + "\"}}";
            client.subscribe(channel, ApiSigner.presenceAuth(KEY, SECRET, client.socketId(), channel, channelData),
                    channelData);
            client.expectError();
            assertRefusedAndAlive(client);
        }
    }

    @Test
    void presenceWithWrongSignatureIs4009() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "presence-bad-sig";
            String channelData = "{\"user_id\":\"u1\"}";
            // signed without the channel_data
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), channelData);
            client.expectError(4009);
            assertRefusedAndAlive(client);
        }
    }

    private static void joinPresence(RawClient client, String channel, String channelData) {
        client.subscribe(channel, ApiSigner.presenceAuth(KEY, SECRET, client.socketId(), channel, channelData),
                channelData);
    }

    @Test
    void presenceSubscriptionListsMembers() {
        String channel = "presence-members";
        try (RawClient a = RawClient.connectEstablished(port, KEY);
                RawClient b = RawClient.connectEstablished(port, KEY)) {
            joinPresence(a, channel, "{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}");
            JsonNode presence = parseData(a.expectSubscribed(channel)).path("presence");
            assertThat(presence.path("count").asInt()).isEqualTo(1);
            assertThat(presence.path("ids")).extracting(JsonNode::asText).containsExactly("alice");

            joinPresence(b, channel, "{\"user_id\":42,\"user_info\":{\"name\":\"Bob\"}}");
            presence = parseData(b.expectSubscribed(channel)).path("presence");
            assertThat(presence.path("count").asInt()).isEqualTo(2);
            assertThat(presence.path("ids")).extracting(JsonNode::asText).containsExactlyInAnyOrder("alice", "42");
            assertThat(presence.path("hash").path("alice").path("name").asText()).isEqualTo("Alice");

            JsonNode added = a.expect("pusher_internal:member_added");
            assertThat(added.path("channel").asText()).isEqualTo(channel);
            assertThat(parseData(added).path("user_id").asText()).isEqualTo("42");
        }
    }

    @Test
    void subscribingTwiceSucceedsAgainWithoutDuplicateMemberAdded() {
        String channel = "presence-twice";
        try (RawClient watcher = RawClient.connectEstablished(port, KEY);
                RawClient twice = RawClient.connectEstablished(port, KEY);
                RawClient later = RawClient.connectEstablished(port, KEY)) {
            joinPresence(watcher, channel, "{\"user_id\":\"watcher\"}");
            watcher.expectSubscribed(channel);

            String data = "{\"user_id\":\"twice\",\"user_info\":{\"n\":1}}";
            joinPresence(twice, channel, data);
            twice.expectSubscribed(channel);
            assertThat(parseData(watcher.expect("pusher_internal:member_added")).path("user_id").asText())
                    .isEqualTo("twice");

            joinPresence(twice, channel, data);
            JsonNode again = twice.expectSubscribed(channel);
            assertThat(parseData(again).path("presence").path("count").asInt()).isEqualTo(2);
            assertThat(twice.untilPong()).isEmpty();

            // barrier: the next member_added the watcher sees is for "later", not a duplicate "twice"
            joinPresence(later, channel, "{\"user_id\":\"later\"}");
            later.expectSubscribed(channel);
            JsonNode next = watcher.expect("pusher_internal:member_added");
            assertThat(parseData(next).path("user_id").asText()).isEqualTo("later");
        }
        assertServerServes(port, KEY);
    }

    @Test
    void subscribingTwiceToPublicChannelSucceedsTwice() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("public-twice");
            client.subscribeOk("public-twice");
            assertThat(client.untilPong()).isEmpty();
        }
    }

    @Test
    void unsubscribeHasNoReply() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("to-leave");
            client.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"to-leave\"}}");
            assertThat(client.untilPong()).isEmpty();
        }
    }
}
