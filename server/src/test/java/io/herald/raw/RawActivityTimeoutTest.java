package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static io.herald.raw.RawClient.parseData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server with a 1 s activity timeout and a 1 s pong timeout. */
class RawActivityTimeoutTest {
    private static final String KEY = TestServers.APP_KEY;

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.config(1, 1, TestServers.defaultApp()));
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    @Test
    void connectionEstablishedAnnouncesTheConfiguredTimeout() {
        try (RawClient client = RawClient.connect(port, KEY)) {
            JsonNode data = parseData(client.expect("pusher:connection_established"));
            assertThat(data.path("activity_timeout").asInt()).isEqualTo(1);
        }
    }

    @Test
    void silentClientIsPingedThenClosedWith4201() {
        try (RawClient silent = RawClient.connectEstablished(port, KEY)) {
            silent.expect("pusher:ping");
            RawClient.CloseInfo close = silent.awaitClose();
            assertThat(close.code()).as("close %s", close).isEqualTo(4201);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void clientAnsweringPingsStaysOpen() {
        try (RawClient answering = RawClient.connect(RawClient.appUri(port, KEY), true, true)) {
            answering.awaitEstablished();
            answering.expect("pusher:ping"); // answered automatically with pusher:pong
            try (RawClient silent = RawClient.connectEstablished(port, KEY)) {
                silent.expect("pusher:ping");
                assertThat(silent.awaitClose().code()).isEqualTo(4201);
            }
            // The silent client connected after the answering one and is gone; the answering one
            // gets yet another ping (so its own pong deadlines have passed) and is still served.
            answering.expect("pusher:ping");
            assertThat(answering.isClosed()).isFalse();
            answering.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"still-here\"}}");
            answering.skipUntil("pusher_internal:subscription_succeeded");
            assertThat(answering.isClosed()).isFalse();
        }
        assertServerServes(port, KEY);
    }
}
