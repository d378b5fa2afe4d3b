package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.connection.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connection-level refusals as pusher-java-client reports them. */
class ConnectionErrorsTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();

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
