package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.raw.RawClient;
import io.herald.testing.NodeProcess;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code DEBUG=true} (Sockudo's variable) turns on the debug lines of the real command; without it they stay off. */
class DebugSwitchTest {

    @Test
    void debugVariableTurnsOnTheDebugLines() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.freePort(), "", Map.of("DEBUG", "true"))) {
            try (RawClient stranger = RawClient.connect(node.port(), "no-such-key")) {
                stranger.expectError(4001);
            }
            node.awaitOutput("refused with 4001: App key no-such-key does not exist");
        }
    }

    @Test
    void withoutItThereAreNone() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.freePort(), "", Map.of("DEBUG", "false"))) {
            try (RawClient stranger = RawClient.connect(node.port(), "no-such-key")) {
                stranger.expectError(4001);
                stranger.awaitEnd();
            }
            try (RawClient client = RawClient.connectEstablished(node.port(), "app-key")) {
                client.subscribeOk("after");
            }
            assertThat(node.output()).doesNotContain("refused with 4001").doesNotContain("DEBUG");
        }
    }
}
