package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testing.NodeProcess;
import io.herald.testing.TestServers;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code startup_warm_up} (on by default in {@code bin/herald}; the suite's other nodes run
 * without it): the node warms its paths up on a throwaway loopback node before it accepts a
 * connection, then serves its own apps as if the warm-up had never been.
 */
class StartupWarmUpTest {
    private static final Pattern SUMMARY = Pattern.compile(
            "start-up warm-up( cut short at its time limit)?: (\\d+) rounds, (\\d+) connects, (\\d+) publishes( \\(\\d+ refused\\))?, "
                    + "(\\d+) deliveries on loopback");

    @Test
    void aNodeWarmsUpBeforeItAcceptsAndThenServesOnlyItsOwnApps() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.freePort(), "", Map.of("STARTUP_WARM_UP", "true"))) {
            String log = node.output();
            Matcher summary = SUMMARY.matcher(log);
            assertThat(summary.find()).as(log).isTrue();
            assertThat(summary.group(5)).as("publishes refused by the throwaway node").isNull();
            long rounds = Long.parseLong(summary.group(2));
            long connects = Long.parseLong(summary.group(3));
            long publishes = Long.parseLong(summary.group(4));
            long deliveries = Long.parseLong(summary.group(6));
            // On a machine as busy as the whole suite makes it, the time limit may end it early;
            // otherwise every round ran whole: each publish reached the 20 subscribers of its channel.
            if (summary.group(1) == null) {
                assertThat(rounds).isGreaterThanOrEqualTo(2);
                assertThat(connects).isEqualTo(rounds * 250);
                assertThat(publishes).isEqualTo(rounds * 1000);
                assertThat(deliveries).isEqualTo(publishes * 20);
            }
            // The throwaway node's own start and stop lines stay out of the node's log.
            assertThat(log.indexOf("listening on")).isGreaterThan(summary.start());
            assertThat(log).doesNotContain("Herald node warm-up");

            try (WsClient client = new WsClient("after-warm-up", TestServers.APP_KEY, node.port(), null).connect()) {
                client.subscribe("news");
                com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY,
                        TestServers.APP_SECRET);
                rest.setHost("127.0.0.1:" + node.port());
                assertThat(rest.trigger("news", "headline", Map.of("text", "hello")).getHttpStatus()).isEqualTo(200);
                assertThat(client.awaitEvent("news", "headline").data()).contains("hello");
                // The warm-up's channels and connections were the throwaway node's, not this one's.
                String channels = rest.get("/channels").getMessage();
                assertThat(channels).contains("news").doesNotContain("warm-up");
            }
        }
    }

    @Test
    void withStartupWarmUpFalseTheNodeStartsWithoutIt() throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.freePort(), "\"startup_warm_up\": false", Map.of())) {
            assertThat(node.output()).contains("listening on").doesNotContain("start-up warm-up");
        }
    }
}
