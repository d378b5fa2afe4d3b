package io.herald.webhooks;

import static io.herald.testing.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import io.herald.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every webhook event kind on one node, with its exact body and headers, the 3 s hold of vacated
 * channels and departed members, filters, event types and custom headers. Each test uses channels
 * of its own, so their events never mix.
 */
class WebhookEventsTest {
    private static final String[] ALL = {"channel_occupied", "channel_vacated", "member_added", "member_removed",
            "client_event", "cache_miss", "subscription_count"};
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** The hold of vacated channels and departed members, as documented: Pusher's 3 s. */
    private static final long HOLD_MILLIS = 3000;

    private static WebhookReceiver receiver;
    private static Herald herald;
    private static App app;
    private static App filtered;

    @BeforeAll
    static void start() {
        receiver = WebhookReceiver.start();
        app = App.builder("hooked", "hooked-key", "hooked-secret").enableClientMessages(true)
                .webhooks(List.of(
                        new Webhook(receiver.url("/all"), List.of(ALL), null, null, null, Map.of("X-Team", "herald-tests")),
                        Webhook.to(receiver.url("/occupied-only"), "channel_occupied")))
                .build();
        filtered = App.builder("filtered", "filtered-key", "filtered-secret")
                .webhooks(List.of(
                        Webhook.to(receiver.url("/every")),
                        new Webhook(receiver.url("/prefix"), List.of("channel_occupied"), "only-", null, null, Map.of()),
                        new Webhook(receiver.url("/suffix"), List.of("channel_occupied"), null, "-end", null, Map.of()),
                        new Webhook(receiver.url("/pattern"), List.of("channel_occupied"), null, null,
                                Pattern.compile("room-[0-9]+$"), Map.of()),
                        Webhook.to(receiver.url("/every"), "channel_occupied")))
                .build();
        herald = TestServers.start(app, filtered);
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
        receiver.close();
    }

    private static RawClient client(App of) {
        return RawClient.connectEstablished(herald.port(), of.key());
    }

    private static void subscribePrivate(RawClient client, String channel) {
        client.subscribe(channel, ApiSigner.channelAuth(app.key(), app.secret(), client.socketId(), channel), null);
        client.expectSubscribed(channel);
    }

    private static void subscribePresence(RawClient client, String channel, String userId) {
        String data = "{\"user_id\":\"" + userId + "\",\"user_info\":{\"name\":\"" + userId + "\"}}";
        client.subscribe(channel, ApiSigner.presenceAuth(app.key(), app.secret(), client.socketId(), channel, data), data);
        client.expectSubscribed(channel);
    }

    @Test
    void occupiedAtOnceAndVacatedAfterTheHold_signedWithTheAppSecret() {
        String channel = "hooks-lobby";
        long left;
        try (RawClient client = client(app)) {
            client.subscribeOk(channel);
            receiver.awaitEvents("/all", event("channel_occupied", channel), 1, WAIT);
            WebhookReceiver.Received post = receiver.requestWith("/all", "channel_occupied", channel);
            JsonNode body = post.json();
            assertThat(body.path("time_ms").asLong()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));
            assertThat(body.path("events").toString()).isEqualTo("[{\"name\":\"channel_occupied\",\"channel\":\"" + channel + "\"}]");
            assertThat(body.size()).as("fields of %s", body).isEqualTo(2);
            assertThat(post.headers()).containsEntry("content-type", "application/json")
                    .containsEntry("x-pusher-key", app.key())
                    .containsEntry("x-pusher-signature", ApiSigner.hmacSha256Hex(app.secret(), post.body()))
                    .containsEntry("x-team", "herald-tests");
            left = System.currentTimeMillis();
        }
        JsonNode vacated = receiver.awaitEvents("/all", event("channel_vacated", channel), 1, WAIT).get(0);
        assertThat(vacated.toString()).isEqualTo("{\"name\":\"channel_vacated\",\"channel\":\"" + channel + "\"}");
        WebhookReceiver.Received post = receiver.requestWith("/all", "channel_vacated", channel);
        assertThat(post.json().path("time_ms").asLong() - left).as("ms between the last unsubscribe and channel_vacated")
                .isGreaterThanOrEqualTo(HOLD_MILLIS - 100);
        receiver.awaitEvents("/occupied-only", event("channel_occupied", channel), 1, WAIT);
        assertThat(receiver.events("/occupied-only")).allMatch(e -> e.path("name").asText().equals("channel_occupied"));
    }

    /** A page reload: the channel is empty for a moment, then occupied again; only the final leave posts. */
    @Test
    void aReloadWithinTheHoldPostsNothing() {
        String channel = "hooks-reload";
        try (RawClient first = client(app)) {
            first.subscribeOk(channel);
            receiver.awaitEvents("/all", event("channel_occupied", channel), 1, WAIT);
        }
        long finalLeave;
        try (RawClient reloaded = client(app)) {
            reloaded.subscribeOk(channel);
            finalLeave = System.currentTimeMillis();
        }
        receiver.awaitEvents("/all", event("channel_vacated", channel), 1, WAIT);
        WebhookReceiver.Received vacated = receiver.requestWith("/all", "channel_vacated", channel);
        // A vacated for the first leave would have come first, about a second earlier than this one.
        assertThat(vacated.json().path("time_ms").asLong() - finalLeave).isGreaterThanOrEqualTo(HOLD_MILLIS - 100);
        assertThat(receiver.events("/all", event("channel_occupied", channel))).hasSize(1);
        assertThat(receiver.events("/all", event("channel_vacated", channel))).hasSize(1);
    }

    @Test
    void membersAreAddedWithTheirFirstConnectionAndRemovedAfterTheirLast() {
        String channel = "presence-hooks-team";
        RawClient aliceTab1 = client(app);
        RawClient aliceTab2 = client(app);
        try (RawClient bob = client(app)) {
            subscribePresence(aliceTab1, channel, "alice");
            subscribePresence(aliceTab2, channel, "alice");
            subscribePresence(bob, channel, "bob");
            // Two facts, two POSTs to one endpoint, possibly at once: they may arrive in either order.
            List<JsonNode> added = receiver.awaitEvents("/all", event("member_added", channel), 2, WAIT);
            assertThat(added).extracting(JsonNode::toString).containsExactlyInAnyOrder(
                    "{\"name\":\"member_added\",\"channel\":\"" + channel + "\",\"user_id\":\"alice\"}",
                    "{\"name\":\"member_added\",\"channel\":\"" + channel + "\",\"user_id\":\"bob\"}");
            aliceTab1.close(); // alice is still there in her other tab
            aliceTab2.close();
            JsonNode removed = receiver.awaitEvents("/all", event("member_removed", channel), 1, WAIT).get(0);
            assertThat(removed.toString()).isEqualTo("{\"name\":\"member_removed\",\"channel\":\"" + channel + "\",\"user_id\":\"alice\"}");
        }
        receiver.awaitEvents("/all", event("channel_vacated", channel), 1, WAIT);
        receiver.awaitEvents("/all", event("member_removed", channel), 2, WAIT); // bob's, posted beside the vacated
        List<String> order = receiver.events("/all", e -> channel.equals(e.path("channel").asText())).stream()
                .map(e -> e.path("name").asText() + (e.has("user_id") ? " " + e.path("user_id").asText() : "")).toList();
        // Separate POSTs may overtake one another: each fact once is the promise, not their order.
        assertThat(order).containsExactlyInAnyOrder("channel_occupied", "member_added alice", "member_added bob",
                "member_removed alice", "member_removed bob", "channel_vacated");
    }

    @Test
    void clientEventsCarryTheirDataSocketAndOnPresenceTheUser() {
        String privateChannel = "private-hooks-chat";
        String presenceChannel = "presence-hooks-chat";
        try (RawClient sender = client(app); RawClient other = client(app)) {
            subscribePrivate(sender, privateChannel);
            subscribePrivate(other, privateChannel);
            subscribePresence(sender, presenceChannel, "carol");
            sender.event("client-typing", privateChannel, "{\"text\":\"hi\"}");
            sender.event("client-typing", presenceChannel, RawClient.JSON.createObjectNode().put("text", "hello"));
            JsonNode onPrivate = receiver.awaitEvents("/all", event("client_event", privateChannel), 1, WAIT).get(0);
            assertThat(onPrivate.toString()).isEqualTo("{\"name\":\"client_event\",\"channel\":\"" + privateChannel
                    + "\",\"event\":\"client-typing\",\"data\":\"{\\\"text\\\":\\\"hi\\\"}\",\"socket_id\":\"" + sender.socketId() + "\"}");
            JsonNode onPresence = receiver.awaitEvents("/all", event("client_event", presenceChannel), 1, WAIT).get(0);
            assertThat(onPresence.toString()).isEqualTo("{\"name\":\"client_event\",\"channel\":\"" + presenceChannel
                    + "\",\"event\":\"client-typing\",\"data\":\"{\\\"text\\\":\\\"hello\\\"}\",\"socket_id\":\""
                    + sender.socketId() + "\",\"user_id\":\"carol\"}");
        }
    }

    @Test
    void aCacheChannelWithNothingCachedPostsCacheMiss() {
        String channel = "cache-hooks-scores";
        try (RawClient client = client(app)) {
            client.subscribeOk(channel);
            client.expect("pusher:cache_miss");
            JsonNode miss = receiver.awaitEvents("/all", event("cache_miss", channel), 1, WAIT).get(0);
            assertThat(miss.toString()).isEqualTo("{\"name\":\"cache_miss\",\"channel\":\"" + channel + "\"}");
        }
    }

    /** The webhook alone asks for counts: the app does not send them to its clients. */
    @Test
    void subscriptionCountsArePostedWithTheCount() {
        String channel = "hooks-counted";
        try (RawClient one = client(app); RawClient two = client(app)) {
            one.subscribeOk(channel);
            two.subscribeOk(channel);
            receiver.awaitEvents("/all", e -> event("subscription_count", channel).test(e)
                    && e.path("subscription_count").asInt() == 2, 1, WAIT);
            assertThat(receiver.events("/all", event("subscription_count", channel)).get(0).toString())
                    .matches("\\{\"name\":\"subscription_count\",\"channel\":\"" + channel + "\",\"subscription_count\":[12]}");
            assertThat(one.untilPong()).as("no pusher_internal:subscription_count for an app without the switch").isEmpty();
        }
    }

    @Test
    void eventTypesAndChannelFiltersChooseTheWebhooks() throws InterruptedException {
        List<String> channels = List.of("only-a", "b-end", "room-12", "other");
        WebhookStats stats = herald.webhookStats();
        try (RawClient client = client(filtered)) {
            for (String channel : channels) {
                client.subscribeOk(channel);
            }
            receiver.awaitEvents("/every", e -> e.path("name").asText().equals("channel_occupied"), channels.size(), WAIT);
            // Everything queued so far has been answered: what a filtered webhook did not get, it will not get.
            Poll.until("every queued webhook was sent", WAIT, Duration.ofMillis(20),
                    () -> stats.sent() + stats.failed() + stats.dropped() == stats.queued(), () -> "stats " + stats.sent()
                            + " sent of " + stats.queued());
        }
        assertThat(receiver.events("/prefix")).extracting(e -> e.path("channel").asText()).containsExactly("only-a");
        assertThat(receiver.events("/suffix")).extracting(e -> e.path("channel").asText()).containsExactly("b-end");
        assertThat(receiver.events("/pattern")).extracting(e -> e.path("channel").asText()).containsExactly("room-12");
        assertThat(receiver.events("/every")).as("the webhook with no event types gets nothing; its twin gets occupied")
                .extracting(e -> e.path("name").asText() + " " + e.path("channel").asText())
                .containsExactlyInAnyOrder("channel_occupied only-a", "channel_occupied b-end", "channel_occupied room-12",
                        "channel_occupied other");
    }

}
