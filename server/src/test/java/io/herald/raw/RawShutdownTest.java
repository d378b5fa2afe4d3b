package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.testing.TestServers;
import org.junit.jupiter.api.Test;

/** Graceful shutdown tells connected clients to reconnect at once (4200). */
class RawShutdownTest {
    private static final String KEY = TestServers.APP_KEY;

    @Test
    void closeSendsReconnectNowToConnectedClients() {
        Herald herald = TestServers.start(TestServers.defaultApp());
        boolean closed = false;
        try (RawClient idle = RawClient.connectEstablished(herald.port(), KEY);
                RawClient subscribed = RawClient.connectEstablished(herald.port(), KEY)) {
            subscribed.subscribeOk("shutdown-room");
            herald.close();
            closed = true;
            RawClient.CloseInfo a = idle.awaitClose();
            RawClient.CloseInfo b = subscribed.awaitClose();
            assertThat(a.code()).as("close %s", a).isEqualTo(4200);
            assertThat(b.code()).as("close %s", b).isEqualTo(4200);
        } finally {
            if (!closed) {
                herald.close();
            }
        }
    }
}
