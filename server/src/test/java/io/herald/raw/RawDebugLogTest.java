package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.CapturedLogs;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code debug} makes a misbehaving deployment explainable from its log: connections opened and
 * closed with their codes, subscriptions, messages and API calls refused with the reason; and it
 * never logs a secret, a signature or a payload.
 */
class RawDebugLogTest {
    private static final String SECRET = "debug-secret-3f9a";
    private static final App APP = App.builder("debug-app", "debug-key", SECRET).enableClientMessages(true).build();
    private static final String BAD_AUTH = "debug-key:" + "ab".repeat(32);
    private static final String PAYLOAD = "payload-7c1e-never-logged";

    @Test
    void connectionsSubscriptionsAndApiCallsAreExplainedWithoutSecrets() throws Exception {
        try (Herald herald = TestServers.start(APP);
                CapturedLogs logs = CapturedLogs.ofLoggers("io.herald.protocol.PusherProtocol",
                        "io.herald.transport.HttpRequestHandler").atDebug()) {
            int port = herald.port();
            String socketId;
            try (RawClient client = RawClient.connectEstablished(port, "debug-key")) {
                socketId = client.socketId();
                client.subscribe("private-room", BAD_AUTH, null).expectError(4009);
                client.event("client-typing", "private-elsewhere", PAYLOAD).expectError();
                client.sendClose(1000, "bye");
            }
            try (RawClient stranger = RawClient.connect(port, "no-such-key")) {
                stranger.expectError(4001);
            }
            ApiClient api = new ApiClient(port, "debug-key", SECRET);
            String body = "{\"name\":\"e\",\"channel\":\"news\",\"data\":\"" + PAYLOAD + "\"}";
            Map<String, String> forged = new LinkedHashMap<>(api.signedParams("POST", "/apps/debug-app/events", body,
                    ApiClient.now(), Map.of()));
            forged.put("auth_signature", "cd".repeat(32));
            assertThat(api.send("POST", "/apps/debug-app/events", forged, body).statusCode()).isEqualTo(401);
            assertThat(api.post("/apps/debug-app/events", body).statusCode()).isEqualTo(200);

            String opened = "connection " + socketId + " of app debug-app opened from /127.0.0.1:";
            String closed = "connection " + socketId + " of app debug-app closed with 1000 (by the client)";
            Poll.until("the close is logged", Duration.ofSeconds(10), Duration.ofMillis(20),
                    () -> logs.all().contains(closed), () -> String.join("\n", logs.all()));
            List<String> lines = logs.all();
            assertThat(lines)
                    .anyMatch(line -> line.startsWith(opened))
                    .contains("connection " + socketId + " of app debug-app: subscription to private-room refused with 4009:"
                            + " Invalid signature: auth does not match socket_id:channel signed with the app secret")
                    .contains("connection " + socketId + " of app debug-app: message refused on private-elsewhere: Client event"
                            + " on a channel this connection is not subscribed to")
                    .contains(closed)
                    .anyMatch(line -> line.matches("WebSocket connection from /127\\.0\\.0\\.1:\\d+ refused with 4001: App key"
                            + " no-such-key does not exist"))
                    .anyMatch(line -> line.matches("API POST /apps/debug-app/events from /127\\.0\\.0\\.1:\\d+ refused with 401:"
                            + " .*Invalid signature.*"));
            assertThat(lines).noneMatch(line -> line.contains(SECRET) || line.contains("ab".repeat(32))
                    || line.contains("cd".repeat(32)) || line.contains(PAYLOAD));
        }
    }
}
