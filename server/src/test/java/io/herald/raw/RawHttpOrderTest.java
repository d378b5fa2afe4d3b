package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP checks come in the documented order also for a body over {@code http_max_body_kb}: the
 * app, its state, the signature, the endpoint and the method are told before the 413. And the
 * answers read as sentences.
 */
class RawHttpOrderTest {
    private static final App APP = TestServers.defaultApp();
    private static final App DISABLED = App.builder("off-id", "off-key", "off-secret").enabled(false).build();
    private static final String BIG = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(8 * 1024) + "\"}";

    private static Herald herald;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.config(APP, DISABLED).toBuilder().httpMaxBodyKb(4).build());
        api = new ApiClient(herald.port(), TestServers.APP_KEY, TestServers.APP_SECRET);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static String error(HttpResponse<String> response) {
        return ApiClient.json(response).path("error").asText();
    }

    @Test
    void aBodyTooLargeIsToldAfterTheChecksThatNeedNoBody() {
        HttpResponse<String> up = api.send("POST", "/up", Map.of(), BIG);
        assertThat(up.statusCode()).as("POST /up: %s", up.body()).isEqualTo(405);
        assertThat(error(up)).isEqualTo("/up accepts GET only");

        HttpResponse<String> unknownApp = api.post("/apps/nope/events", BIG);
        assertThat(unknownApp.statusCode()).isEqualTo(404);
        assertThat(error(unknownApp)).isEqualTo("App nope does not exist");

        assertThat(new ApiClient(herald.port(), "off-key", "off-secret").post("/apps/off-id/events", BIG).statusCode())
                .isEqualTo(403);

        HttpResponse<String> unsigned = api.send("POST", "/apps/app-id/events", Map.of(), BIG);
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(error(unsigned)).startsWith("Missing auth_key query parameter");

        assertThat(api.post("/apps/app-id/nothing", BIG).statusCode()).isEqualTo(404);
        assertThat(api.post("/apps/app-id/channels", BIG).statusCode()).isEqualTo(405);

        HttpResponse<String> tooLarge = api.post("/apps/app-id/events", BIG);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(error(tooLarge)).isEqualTo("Request body is larger than 4 KB");

        // The connection (and the server) still answer after every one of them.
        assertThat(api.post("/apps/app-id/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void theHealthEndpointsAnswerGetOnly() {
        assertThat(api.send("POST", "/up", Map.of(), "{}").statusCode()).isEqualTo(405);
        assertThat(api.send("DELETE", "/usage", Map.of(), null).statusCode()).isEqualTo(405);
        assertThat(api.plainGet("/up").statusCode()).isEqualTo(200);
    }

    @Test
    void userCountOnAPublishToAChannelWithoutUsersIsRefusedAsTheChannelQueryRefusesIt() {
        HttpResponse<String> publish = api.post("/apps/app-id/events",
                "{\"name\":\"e\",\"channels\":[\"presence-room\",\"news\"],\"data\":\"d\",\"info\":\"user_count\"}");
        assertThat(publish.statusCode()).isEqualTo(400);
        assertThat(error(publish)).isEqualTo("info=user_count is only available for presence channels (news is not one)");
        HttpResponse<String> query = api.get("/apps/app-id/channels/news", Map.of("info", "user_count"));
        assertThat(query.statusCode()).isEqualTo(400);
        assertThat(api.post("/apps/app-id/events",
                "{\"name\":\"e\",\"channel\":\"presence-room\",\"data\":\"d\",\"info\":\"user_count\"}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void errorsOfABatchNameTheEventAndReadAsSentences() {
        HttpResponse<String> batch = api.post("/apps/app-id/batch_events",
                "{\"batch\":[{\"name\":\"e\",\"channel\":\"ok\",\"data\":\"d\"},{\"name\":\"e\",\"channel\":\"bad channel\","
                        + "\"data\":\"d\"},{\"name\":\"e\",\"channel\":\"c\"}]}");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(error(batch)).startsWith("batch[1]: Channel name contains an invalid character");
        assertThat(error(api.post("/apps/app-id/batch_events", "{\"batch\":[{\"name\":\"e\",\"channel\":\"c\"}]}")))
                .isEqualTo("batch[0]: The event has no data");
        assertThat(error(api.post("/apps/app-id/events", "{\"name\":\"e\",\"data\":\"d\"}")))
                .isEqualTo("The event has no channels (or channel)");
    }
}
