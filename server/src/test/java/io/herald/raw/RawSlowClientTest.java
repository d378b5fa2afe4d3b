package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client that stops reading must not hold the server or the channel's other subscribers back. */
class RawSlowClientTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final String CHANNEL = "slow-room";
    private static final int EVENTS = 200;

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

    @Test
    void nonReadingClientIsCutWhileOthersGetEverything() {
        ApiClient api = new ApiClient(port, KEY, TestServers.APP_SECRET);
        String data = "y".repeat(90 * 1024);
        try (RawClient slow = RawClient.connect(RawClient.appUri(port, KEY), false, false);
                RawClient fast = RawClient.connectEstablished(port, KEY)) {
            // the slow client reads just enough to subscribe, then stops asking for messages
            slow.request(1);
            slow.awaitEstablished();
            slow.subscribe(CHANNEL);
            slow.request(1);
            slow.expectSubscribed(CHANNEL);
            fast.subscribeOk(CHANNEL);

            // ~18 MB to the channel: far more than socket buffers plus the server's outbound bound
            String body = "{\"name\":\"slow-event\",\"channels\":[\"" + CHANNEL + "\"],\"data\":\"" + data + "\"}";
            for (int i = 0; i < EVENTS; i++) {
                assertThat(api.post("/apps/" + TestServers.APP_ID + "/events", body).statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < EVENTS; i++) {
                assertThat(fast.expect("slow-event").path("data").asText()).hasSize(data.length());
            }

            slow.request(Long.MAX_VALUE);
            RawClient.CloseInfo end = slow.awaitEnd();
            int received = slow.drain().size();
            assertThat(received).as("events that reached the slow client (ended with %s)", end).isLessThan(EVENTS);
            if (end.code() != -1) {
                assertThat(end.code()).as("close %s", end).isEqualTo(4100);
            }
        }
        assertServerServes(port, KEY);
    }
}
