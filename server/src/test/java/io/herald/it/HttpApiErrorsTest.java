package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.data.Result;
import io.herald.testing.TestServers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP API refusals as pusher-http-java reports them (status code and JSON error body). */
class HttpApiErrorsTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();

    private static void assertJsonError(Result result) {
        JsonNode body = Fixture.json(result.getMessage());
        assertThat(body.path("error").isTextual()).as("JSON body with an \"error\" string: %s", result.getMessage()).isTrue();
        assertThat(body.path("error").asText()).isNotBlank();
    }

    @Test
    void wrongSecretIsRejectedWith401() {
        com.pusher.rest.Pusher forger = fx.rest(TestServers.APP_ID, TestServers.APP_KEY, "not-the-secret");

        Result result = forger.trigger("news", "evt", Map.of("a", "b"));

        assertThat(result.getHttpStatus()).as("response body: %s", result.getMessage()).isEqualTo(401);
        assertThat(result.getStatus()).isEqualTo(Result.Status.AUTHENTICATION_ERROR);
        assertJsonError(result);
    }

    @Test
    void unknownAppIdIsRejectedWith404() {
        com.pusher.rest.Pusher stranger = fx.rest("no-such-app", TestServers.APP_KEY, TestServers.APP_SECRET);

        Result result = stranger.trigger("news", "evt", Map.of("a", "b"));

        assertThat(result.getHttpStatus()).as("response body: %s", result.getMessage()).isEqualTo(404);
        assertThat(result.getStatus()).isEqualTo(Result.Status.NOT_FOUND);
        assertJsonError(result);
    }

    @Test
    void dataOverTheAppLimitIsRejectedWith413() {
        com.pusher.rest.Pusher rest = fx.rest();
        String data = "x".repeat(101 * 1024); // the default app allows 100 KB of event data

        Result result = rest.trigger("news", "big", data);

        assertThat(result.getHttpStatus()).as("response body: %s", result.getMessage()).isEqualTo(413);
        assertJsonError(result);
    }

    @Test
    void correctlySignedTriggerIsAccepted() {
        Result result = fx.rest().trigger("news", "small", Map.of("a", "b"));

        assertThat(result.getHttpStatus()).as("response body: %s", result.getMessage()).isEqualTo(200);
        assertThat(Fixture.json(result.getMessage()).isObject()).isTrue();
    }
}
