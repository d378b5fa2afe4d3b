package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.testing.TestServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One connection may be in at most {@code max_channels_per_connection} channels (default 100):
 * one socket subscribing to 100,000 channels must not be able to fill the node's memory.
 */
class RawChannelCapTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final int DEFAULT_CAP = 100;

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.config()); // the default cap
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    @Test
    void theChannelOverTheCapIsRefusedWith4100AndTheConnectionStays() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            for (int i = 0; i < DEFAULT_CAP; i++) {
                client.subscribe("cap-" + i);
            }
            for (int i = 0; i < DEFAULT_CAP; i++) {
                client.expectSubscribed("cap-" + i);
            }

            client.subscribe("one-too-many");
            JsonNode error = client.expect("pusher:error");
            assertThat(error.path("channel").asText()).isEqualTo("one-too-many");
            assertThat(error.path("data").path("code").asInt()).isEqualTo(4100);
            assertThat(error.path("data").path("message").asText())
                    .contains("100 channels").contains("max_channels_per_connection");
            List<JsonNode> after = client.untilPong();
            assertThat(after).as("nothing else, no subscription_succeeded").isEmpty();

            // Subscribing again to a channel it is in is not a new channel.
            client.subscribeOk("cap-7");
            // Leaving one makes room for another.
            client.event("pusher:unsubscribe", null, RawClient.JSON.createObjectNode().put("channel", "cap-0"));
            client.subscribeOk("one-too-many");
            assertThat(client.isClosed()).isFalse();
        }
        assertServerServes(port, KEY);
    }

    @Test
    void aPublishReachesTheCappedConnectionsChannels() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            for (int i = 0; i < DEFAULT_CAP; i++) {
                client.subscribe("reach-" + i);
            }
            for (int i = 0; i < DEFAULT_CAP; i++) {
                client.expectSubscribed("reach-" + i);
            }
            client.subscribe("reach-refused");
            client.expectError(4100);
            ApiClient api = new ApiClient(port, KEY, TestServers.APP_SECRET);
            assertThat(api.post("/apps/" + TestServers.APP_ID + "/events",
                    "{\"name\":\"e\",\"data\":\"x\",\"channels\":[\"reach-99\",\"reach-refused\"]}").statusCode())
                    .isEqualTo(200);
            JsonNode delivered = client.expect("e");
            assertThat(delivered.path("channel").asText()).isEqualTo("reach-99");
            assertThat(client.untilPong()).as("nothing from the refused channel").isEmpty();
        }
    }

    @Test
    void theCapIsConfigurable() {
        Herald small = TestServers.start(TestServers.config().toBuilder().maxChannelsPerConnection(2).build());
        try (RawClient client = RawClient.connectEstablished(small.port(), KEY)) {
            client.subscribeOk("small-1");
            client.subscribeOk("small-2");
            client.subscribe("small-3");
            assertThat(client.expectError(4100).path("message").asText()).contains("2 channels");
        } finally {
            small.close();
        }
    }
}
