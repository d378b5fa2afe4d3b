package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.testing.TestServers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cache channels with the memory driver: replay, cache_miss, prefixes, client events, the channel query. */
class RawCacheChannelTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final String SECRET = TestServers.APP_SECRET;
    private static final String EVENTS = "/apps/" + TestServers.APP_ID + "/events";

    private static Herald herald;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        herald = TestServers.start();
        api = new ApiClient(herald.port(), KEY, SECRET);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static void publish(String channel, String name, String data) {
        String body = "{\"name\":\"" + name + "\",\"channel\":\"" + channel + "\",\"data\":\"" + data + "\"}";
        assertThat(api.post(EVENTS, body).statusCode()).isEqualTo(200);
    }

    private static RawClient subscriber(String channel) {
        RawClient client = RawClient.connectEstablished(herald.port(), KEY);
        if (channel.startsWith("private-")) {
            client.subscribe(channel, ApiSigner.channelAuth(KEY, SECRET, client.socketId(), channel), null);
        } else {
            client.subscribe(channel);
        }
        client.expectSubscribed(channel);
        return client;
    }

    @Test
    void lastPublishedEventIsReplayedAfterSubscriptionSucceeded() {
        publish("cache-scores", "score", "1-0");
        publish("cache-scores", "score", "2-0");
        try (RawClient late = subscriber("cache-scores")) {
            JsonNode replay = late.expect("score");
            assertThat(replay.path("channel").asText()).isEqualTo("cache-scores");
            assertThat(replay.path("data").asText()).isEqualTo("2-0");
            publish("cache-scores", "score", "3-0");
            assertThat(late.expect("score").path("data").asText()).isEqualTo("3-0");
        }
    }

    @Test
    void emptyCacheChannelSendsCacheMiss() {
        try (RawClient client = subscriber("cache-never-published")) {
            JsonNode miss = client.expect("pusher:cache_miss");
            assertThat(miss.path("channel").asText()).isEqualTo("cache-never-published");
        }
    }

    @Test
    void everyCachePrefixCountsAndOnlyAtTheStart() {
        publish("private-cache-room", "e", "private");
        try (RawClient client = subscriber("private-cache-room")) {
            assertThat(client.expect("e").path("data").asText()).isEqualTo("private");
        }
        publish("not-cache-room", "e", "plain");
        try (RawClient client = subscriber("not-cache-room")) {
            assertThat(client.untilPong()).as("a channel with 'cache-' inside its name is not a cache channel").isEmpty();
        }
    }

    @Test
    void clientEventsAreNotCached() {
        try (RawClient sender = subscriber("private-cache-chat")) {
            sender.expect("pusher:cache_miss");
            sender.event("client-typing", "private-cache-chat", RawClient.JSON.createObjectNode().put("x", 1));
            try (RawClient late = subscriber("private-cache-chat")) {
                late.expect("pusher:cache_miss");
            }
        }
    }

    @Test
    void channelQueryReportsTheCachedEvent() {
        publish("cache-query", "status", "green");
        JsonNode info = ApiClient.json(api.get("/apps/" + TestServers.APP_ID + "/channels/cache-query", Map.of("info", "cache")));
        assertThat(info.path("cache").path("data").asText()).isEqualTo("green");
        assertThat(info.path("cache").path("ttl").asInt()).isBetween(1, 300);
        JsonNode spaced = ApiClient.json(api.get("/apps/" + TestServers.APP_ID + "/channels/cache-query",
                Map.of("info", "subscription_count, cache")));
        assertThat(spaced.path("cache").path("data").asText()).as("attributes are trimmed").isEqualTo("green");
        JsonNode none = ApiClient.json(api.get("/apps/" + TestServers.APP_ID + "/channels/cache-empty", Map.of("info", "cache")));
        assertThat(none.has("cache")).isFalse();
    }
}
