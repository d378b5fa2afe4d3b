package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API with hand-signed requests (java.net.http), checked against raw WebSocket clients. */
class RawHttpApiTest {
    private static final String ID = TestServers.APP_ID;
    private static final String KEY = TestServers.APP_KEY;
    private static final String SECRET = TestServers.APP_SECRET;
    private static final String EVENTS = "/apps/" + ID + "/events";
    private static final String BATCH = "/apps/" + ID + "/batch_events";
    private static final App OTHER = App.of("other-id", "other-key", "other-secret");

    private static Herald herald;
    private static int port;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.defaultApp(), OTHER);
        port = herald.port();
        api = new ApiClient(port, KEY, SECRET);
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private static ObjectNode event(String name, String data, String... channels) {
        ObjectNode body = RawClient.JSON.createObjectNode().put("name", name).put("data", data);
        ArrayNode list = body.putArray("channels");
        for (String c : channels) {
            list.add(c);
        }
        return body;
    }

    private static void assertOkEmpty(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("status, body %s", response.body()).isEqualTo(200);
        JsonNode json = ApiClient.json(response);
        assertThat(json.isObject() && json.isEmpty()).as("body %s", response.body()).isTrue();
    }

    private static void assertApiError(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("status, body %s", response.body()).isEqualTo(status);
        JsonNode json = ApiClient.json(response);
        assertThat(json.path("error").isTextual()).as("{\"error\":...} in %s", response.body()).isTrue();
        assertThat(json.path("error").asText()).isNotBlank();
    }

    private static void assertRejectedAndServerServes(HttpResponse<String> response, int status) {
        assertApiError(response, status);
        assertServerServes(port, KEY);
    }

    private static String validBody() {
        return event("nobody-listens", "{}", "http-nobody").toString();
    }

    // ---------------------------------------------------------------- publishing

    @Test
    void signedPublishIsDeliveredWithTheExactDataString() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("http-events");
            for (String data : new String[] {"{\"hello\":\"world\",\"n\":[1,2]}", "plain text \u00fcn\u00efc\u00f8de \"q\"", ""}) {
                assertOkEmpty(api.post(EVENTS, event("my-event", data, "http-events").toString()));
                JsonNode got = client.expect("my-event");
                assertThat(got.path("channel").asText()).isEqualTo("http-events");
                assertThat(got.path("data").isTextual()).as("data is a string in %s", got).isTrue();
                assertThat(got.path("data").asText()).isEqualTo(data);
            }
        }
    }

    @Test
    void singleChannelFieldIsAccepted() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("http-single");
            String body = "{\"name\":\"one\",\"channel\":\"http-single\",\"data\":\"x\"}";
            assertOkEmpty(api.post(EVENTS, body));
            assertThat(client.expect("one").path("data").asText()).isEqualTo("x");
        }
    }

    @Test
    void wrongSignatureIs401() {
        String body = validBody();
        Map<String, String> params = api.signedParams("POST", EVENTS, body, ApiClient.now(), Map.of());
        params.put("auth_signature", ApiSigner.hmacSha256Hex("not-the-secret", "x"));
        assertRejectedAndServerServes(api.send("POST", EVENTS, params, body), 401);
    }

    @Test
    void staleTimestampIs401() {
        String body = validBody();
        Map<String, String> params = api.signedParams("POST", EVENTS, body, ApiClient.now() - 601, Map.of());
        assertRejectedAndServerServes(api.send("POST", EVENTS, params, body), 401);
    }

    @Test
    void missingAuthParamsIs401() {
        assertRejectedAndServerServes(api.send("POST", EVENTS, Map.of(), validBody()), 401);
        // signature present but key missing
        String body = validBody();
        Map<String, String> params = api.signedParams("POST", EVENTS, body, ApiClient.now(), Map.of());
        params.remove("auth_key");
        assertRejectedAndServerServes(api.send("POST", EVENTS, params, body), 401);
    }

    @Test
    void wrongBodyMd5Is401() {
        String body = validBody();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", Long.toString(ApiClient.now()));
        params.put("auth_version", "1.0");
        params.put("body_md5", ApiSigner.md5Hex(body + " "));
        params.put("auth_signature", ApiSigner.requestSignature(SECRET, "POST", EVENTS, params));
        assertRejectedAndServerServes(api.send("POST", EVENTS, params, body), 401);
    }

    @Test
    void missingBodyMd5WithBodyIs401() {
        String body = validBody();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", Long.toString(ApiClient.now()));
        params.put("auth_version", "1.0");
        params.put("auth_signature", ApiSigner.requestSignature(SECRET, "POST", EVENTS, params));
        assertRejectedAndServerServes(api.send("POST", EVENTS, params, body), 401);
    }

    @Test
    void anotherAppsKeyIs401() {
        ApiClient other = new ApiClient(port, OTHER.key(), OTHER.secret());
        assertRejectedAndServerServes(other.post(EVENTS, validBody()), 401);
    }

    @Test
    void unknownAppIs404() {
        assertRejectedAndServerServes(api.post("/apps/nope/events", validBody()), 404);
    }

    @Test
    void unsignedUnknownPathIs404() {
        assertThat(api.plainGet("/nope").statusCode()).isEqualTo(404);
        assertThat(api.send("POST", "/nope/deeper", Map.of(), "{}").statusCode()).isEqualTo(404);
        assertServerServes(port, KEY);
    }

    @Test
    void badJsonBodyIs400() {
        assertRejectedAndServerServes(api.post(EVENTS, "{\"name\":"), 400);
        assertRejectedAndServerServes(api.post(EVENTS, "[1,2]"), 400);
        // One JSON value and nothing after it: a valid event followed by garbage is not published.
        assertRejectedAndServerServes(api.post(EVENTS, event("e", "x", "c").toString() + " garbage"), 400);
        assertRejectedAndServerServes(api.post(EVENTS, event("e", "x", "c").toString() + " {}"), 400);
    }

    @Test
    void missingNameIs400() {
        assertRejectedAndServerServes(api.post(EVENTS, "{\"data\":\"x\",\"channels\":[\"c\"]}"), 400);
    }

    @Test
    void missingChannelsIs400() {
        assertRejectedAndServerServes(api.post(EVENTS, "{\"name\":\"e\",\"data\":\"x\"}"), 400);
    }

    @Test
    void tooManyChannelsIs400() {
        String[] channels = new String[101];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = "c-" + i;
        }
        assertRejectedAndServerServes(api.post(EVENTS, event("e", "x", channels).toString()), 400);
        String[] hundred = java.util.Arrays.copyOf(channels, 100);
        assertOkEmpty(api.post(EVENTS, event("e", "x", hundred).toString()));
    }

    @Test
    void invalidChannelNameIs400() {
        assertRejectedAndServerServes(api.post(EVENTS, event("e", "x", "bad name!").toString()), 400);
        assertRejectedAndServerServes(api.post(EVENTS, event("e", "x", "c".repeat(201)).toString()), 400);
    }

    @Test
    void dataOver100KbIs413() {
        String big = "x".repeat(100 * 1024 + 1);
        assertRejectedAndServerServes(api.post(EVENTS, event("e", big, "http-big").toString()), 413);
    }

    @Test
    void bodyOverHttpMaxBodyIs413WithExpectContinue() {
        String body = event("e", "x".repeat(2048 * 1024 + 1024), "http-huge").toString();
        HttpResponse<String> response = api.send("POST", EVENTS,
                api.signedParams("POST", EVENTS, body, ApiClient.now(), Map.of()), body, true);
        assertThat(response.statusCode()).as("status, body %s", response.body()).isEqualTo(413);
        assertServerServes(port, KEY);
    }

    /**
     * Most HTTP clients (pusher-http-java's included) send the whole body without waiting for
     * 100-continue: they too must read a 413, not a reset connection.
     */
    @Test
    void bodyOverHttpMaxBodyIs413() {
        // The answer races the rest of the upload: a server that closes without draining the
        // unread body resets the connection and the client loses the 413. Several tries expose it.
        for (int attempt = 0; attempt < 20; attempt++) {
            int size = attempt % 2 == 0 ? 2048 * 1024 + 1024 : 8 * 1024 * 1024;
            String body = event("e", "x".repeat(size), "http-huge").toString();
            Map<String, String> params = api.signedParams("POST", EVENTS, body, ApiClient.now(), Map.of());
            HttpResponse<String> response;
            try {
                response = api.send("POST", EVENTS, params, body);
            } catch (IllegalStateException e) {
                throw new AssertionError("attempt " + attempt + ", " + size + " byte data: no 413 but "
                        + e.getCause(), e);
            }
            assertThat(response.statusCode()).as("status for %s bytes, body %s", size, response.body())
                    .isEqualTo(413);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void malformedSocketIdIs400() {
        ObjectNode body = event("e", "x", "http-sock");
        body.put("socket_id", "not-a-socket");
        assertRejectedAndServerServes(api.post(EVENTS, body.toString()), 400);
        body.put("socket_id", "123");
        assertRejectedAndServerServes(api.post(EVENTS, body.toString()), 400);
    }

    @Test
    void socketIdIsExcludedFromDelivery() {
        try (RawClient excluded = RawClient.connectEstablished(port, KEY);
                RawClient other = RawClient.connectEstablished(port, KEY)) {
            excluded.subscribeOk("http-exclude");
            other.subscribeOk("http-exclude");
            ObjectNode body = event("first", "1", "http-exclude");
            body.put("socket_id", excluded.socketId());
            assertOkEmpty(api.post(EVENTS, body.toString()));
            assertOkEmpty(api.post(EVENTS, event("second", "2", "http-exclude").toString()));
            assertThat(other.expect("first").path("data").asText()).isEqualTo("1");
            assertThat(other.expect("second").path("data").asText()).isEqualTo("2");
            assertThat(excluded.expect("second").path("data").asText()).isEqualTo("2");
        }
    }

    @Test
    void subscriptionCountInfo() {
        try (RawClient a = RawClient.connectEstablished(port, KEY);
                RawClient b = RawClient.connectEstablished(port, KEY)) {
            a.subscribeOk("http-counted");
            b.subscribeOk("http-counted");
            ObjectNode body = event("counted", "x", "http-counted");
            body.put("info", "subscription_count");
            HttpResponse<String> response = api.post(EVENTS, body.toString());
            assertThat(response.statusCode()).as("body %s", response.body()).isEqualTo(200);
            JsonNode json = ApiClient.json(response);
            assertThat(json.path("channels").path("http-counted").path("subscription_count").asInt(-1))
                    .as("body %s", response.body()).isEqualTo(2);
            assertThat(a.expect("counted").path("data").asText()).isEqualTo("x");
        }
    }

    // ---------------------------------------------------------------- batches

    @Test
    void batchOfElevenIs400() {
        ObjectNode body = RawClient.JSON.createObjectNode();
        ArrayNode batch = body.putArray("batch");
        for (int i = 0; i < 11; i++) {
            batch.addObject().put("name", "b").put("channel", "http-batch-11").put("data", "d" + i);
        }
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("http-batch-11");
            assertApiError(api.post(BATCH, body.toString()), 400);
            // nothing from the refused batch was delivered
            assertOkEmpty(api.post(EVENTS, event("after", "ok", "http-batch-11").toString()));
            assertThat(client.next().path("event").asText()).isEqualTo("after");
        }
        assertServerServes(port, KEY);
    }

    @Test
    void batchOfTwoIsDelivered() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.subscribeOk("http-batch-a");
            client.subscribeOk("http-batch-b");
            ObjectNode body = RawClient.JSON.createObjectNode();
            ArrayNode batch = body.putArray("batch");
            batch.addObject().put("name", "first").put("channel", "http-batch-a").put("data", "{\"a\":1}");
            batch.addObject().put("name", "second").put("channel", "http-batch-b").put("data", "b");
            assertOkEmpty(api.post(BATCH, body.toString()));
            JsonNode first = client.expect("first");
            assertThat(first.path("channel").asText()).isEqualTo("http-batch-a");
            assertThat(first.path("data").asText()).isEqualTo("{\"a\":1}");
            JsonNode second = client.expect("second");
            assertThat(second.path("channel").asText()).isEqualTo("http-batch-b");
            assertThat(second.path("data").asText()).isEqualTo("b");
        }
    }

    // ---------------------------------------------------------------- health and usage

    @Test
    void upEndpoints() {
        assertThat(api.plainGet("/up").statusCode()).isEqualTo(200);
        assertThat(api.plainGet("/up/" + ID).statusCode()).isEqualTo(200);
        assertThat(api.plainGet("/up/nope").statusCode()).isEqualTo(404);
        assertServerServes(port, KEY);
    }

    @Test
    void usageReportsMemory() {
        HttpResponse<String> response = api.plainGet("/usage");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode memory = ApiClient.json(response).path("memory");
        for (String field : new String[] {"free", "used", "total", "percent"}) {
            assertThat(memory.path(field).isNumber()).as("memory.%s in %s", field, response.body()).isTrue();
        }
        assertThat(memory.path("total").asDouble()).isPositive();
    }
}
