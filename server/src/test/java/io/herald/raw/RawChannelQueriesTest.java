package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.testing.TestServers;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /apps/{id}/channels, /channels/{name} and /channels/{name}/users, with signed raw HTTP. */
class RawChannelQueriesTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final String SECRET = TestServers.APP_SECRET;
    private static final String BASE = "/apps/" + TestServers.APP_ID;

    private static Herald herald;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.defaultApp());
        api = new ApiClient(herald.port(), KEY, SECRET);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static RawClient joinPresence(String channel, String userId) {
        RawClient client = RawClient.connectEstablished(herald.port(), KEY);
        String data = "{\"user_id\":\"" + userId + "\",\"user_info\":{\"n\":\"" + userId + "\"}}";
        client.subscribe(channel, ApiSigner.presenceAuth(KEY, SECRET, client.socketId(), channel, data), data);
        client.expectSubscribed(channel);
        return client;
    }

    private static JsonNode okJson(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("body %s", response.body()).isEqualTo(200);
        return ApiClient.json(response);
    }

    @Test
    void listsOccupiedChannelsWithPrefixAndUserCounts() {
        try (RawClient a = RawClient.connectEstablished(herald.port(), KEY);
                RawClient b = joinPresence("presence-list-room", "u1");
                RawClient c = joinPresence("presence-list-room", "u1");
                RawClient d = joinPresence("presence-list-room", "u2")) {
            a.subscribeOk("list-public");

            JsonNode all = okJson(api.get(BASE + "/channels", Map.of())).path("channels");
            assertThat(all.has("list-public")).isTrue();
            assertThat(all.has("presence-list-room")).isTrue();
            assertThat(all.path("list-public").size()).as("no attributes unless asked").isZero();

            JsonNode presence = okJson(api.get(BASE + "/channels",
                    Map.of("filter_by_prefix", "presence-", "info", "user_count"))).path("channels");
            assertThat(presence.has("list-public")).isFalse();
            assertThat(presence.path("presence-list-room").path("user_count").asInt()).as("distinct users").isEqualTo(2);
        }
    }

    @Test
    void userCountInTheListNeedsThePresencePrefix() {
        HttpResponse<String> response = api.get(BASE + "/channels", Map.of("info", "user_count"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(response).path("error").asText()).contains("filter_by_prefix=presence-");
    }

    @Test
    void oneChannelReportsOccupancyAndCounts() {
        JsonNode empty = okJson(api.get(BASE + "/channels/nobody-here", Map.of("info", "subscription_count")));
        assertThat(empty.path("occupied").asBoolean()).isFalse();
        assertThat(empty.path("subscription_count").asInt()).isZero();

        try (RawClient a = joinPresence("presence-one-room", "u1");
                RawClient b = joinPresence("presence-one-room", "u1")) {
            JsonNode info = okJson(api.get(BASE + "/channels/presence-one-room",
                    Map.of("info", "subscription_count,user_count")));
            assertThat(info.path("occupied").asBoolean()).isTrue();
            assertThat(info.path("subscription_count").asInt()).isEqualTo(2);
            assertThat(info.path("user_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void userCountOnANonPresenceChannelIs400() {
        HttpResponse<String> response = api.get(BASE + "/channels/plain-room", Map.of("info", "user_count"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(response).path("error").asText()).contains("presence");
    }

    @Test
    void usersOfAPresenceChannelAreDistinct() {
        try (RawClient a = joinPresence("presence-users-room", "u7");
                RawClient b = joinPresence("presence-users-room", "u7");
                RawClient c = joinPresence("presence-users-room", "u8")) {
            JsonNode users = okJson(api.get(BASE + "/channels/presence-users-room/users", Map.of())).path("users");
            assertThat(users.findValuesAsText("id")).containsExactly("u7", "u8");
        }
    }

    @Test
    void usersOfANonPresenceChannelIs400() {
        HttpResponse<String> response = api.get(BASE + "/channels/private-room/users", Map.of());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(response).path("error").asText()).contains("presence");
    }

    @Test
    void queriesAreSignedAndMethodChecked() {
        assertThat(api.plainGet(BASE + "/channels").statusCode()).isEqualTo(401);
        assertThat(api.post(BASE + "/channels", "{}").statusCode()).isEqualTo(405);
        assertThat(api.get(BASE + "/channels/bad:name", Map.of()).statusCode()).isEqualTo(400);
        assertThat(api.get(BASE + "/channels/x/members", Map.of()).statusCode()).isEqualTo(404);
    }
}
