package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.connection.ConnectionState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Connection-level refusals as pusher-java-client reports them. */
class ConnectionErrorsTest {
    private static Fixture fx;

    @BeforeAll
    static void startServer() {
        fx = Fixture.start();
    }

    @AfterAll
    static void stopServer() {
        if (fx != null) fx.close();
    }

    @AfterEach
    void disconnectClients() {
        fx.closeClients();
    }

    @Test
    void unknownAppKeyGets4001AndEndsDisconnected() {
        WsClient client = fx.client("wrong-key", "nope", null);

        client.startConnect();

        WsClient.Obs error = client.awaitError("4001");
        assertThat(error.code()).isEqualTo("4001");
        client.awaitState(ConnectionState.DISCONNECTED);
        assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(client.history(o -> o.kind() == WsClient.Kind.STATE))
                .as("connection states seen by the client")
                .extracting(WsClient.Obs::state)
                .doesNotContain(ConnectionState.CONNECTED, ConnectionState.RECONNECTING);
    }
}
