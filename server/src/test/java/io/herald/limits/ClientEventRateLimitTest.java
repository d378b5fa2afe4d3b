package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code max_client_events_per_second}: over it the event is dropped with pusher:error 4301; the connection stays. */
class ClientEventRateLimitTest {
    private static final App LIMITED = LimitServers.app("client-limited", 3, 0, 0, false);
    /** No limit configured (0 is the same as absent): Pusher's 10 per second. */
    private static final App DEFAULTED = LimitServers.app("client-defaulted", 0, 0, 0, false);
    private static final App GENEROUS = LimitServers.app("client-generous", 1000, 0, 0, false);
    private static final AtomicInteger CHANNELS = new AtomicInteger();

    private static Herald herald;

    @BeforeAll
    static void start() {
        herald = TestServers.start(LIMITED, DEFAULTED, GENEROUS);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static RawClient subscriber(App app, String channel) {
        RawClient client = RawClient.connectEstablished(herald.port(), app.key());
        client.subscribe(channel, ApiSigner.channelAuth(app.key(), app.secret(), client.socketId(), channel), null);
        client.expectSubscribed(channel);
        return client;
    }

    private static void sendClientEvents(RawClient sender, String channel, int from, int count) {
        for (int i = from; i < from + count; i++) {
            sender.event("client-move", channel, RawClient.JSON.createObjectNode().put("n", i));
        }
    }

    /**
     * The numbers of the next {@code count} client events received. (Not a ping barrier: events
     * from another connection may reach this one's loop after its own pong.)
     */
    private static List<Integer> nextNumbers(RawClient receiver, int count) {
        List<Integer> numbers = new ArrayList<>();
        while (numbers.size() < count) {
            JsonNode message = receiver.next();
            assertThat(message.path("event").asText()).as("%s", message).isEqualTo("client-move");
            numbers.add(message.path("data").path("n").asInt());
        }
        return numbers;
    }

    @Test
    void eventsOverTheLimitAreDroppedWith4301AndTheNextSecondWorks() throws Exception {
        String channel = "private-moves-" + CHANNELS.incrementAndGet();
        try (RawClient sender = subscriber(LIMITED, channel); RawClient receiver = subscriber(LIMITED, channel)) {
            LimitServers.withinOneSecond(() -> {
                sender.drain();
                receiver.drain();
                sendClientEvents(sender, channel, 0, 5);
                for (int i = 0; i < 2; i++) {
                    JsonNode error = sender.expectError(4301);
                    assertThat(error.path("message").asText()).contains("3");
                }
                assertThat(sender.untilPong()).as("exactly two refusals").isEmpty();
                assertThat(nextNumbers(receiver, 3)).containsExactly(0, 1, 2);
            });
            assertThat(sender.isClosed()).isFalse();

            Thread.sleep(1100);
            LimitServers.withinOneSecond(() -> {
                sendClientEvents(sender, channel, 10, 3);
                assertThat(sender.untilPong()).as("no refusal in a new second").isEmpty();
                // Events from one sender arrive in order: had 3 or 4 got through, they would come first.
                assertThat(nextNumbers(receiver, 3)).containsExactly(10, 11, 12);
            });
        }
    }

    @Test
    void eachConnectionHasItsOwnAllowance() throws Exception {
        String channel = "private-moves-" + CHANNELS.incrementAndGet();
        try (RawClient first = subscriber(LIMITED, channel); RawClient second = subscriber(LIMITED, channel);
             RawClient receiver = subscriber(LIMITED, channel)) {
            LimitServers.withinOneSecond(() -> {
                receiver.drain();
                sendClientEvents(first, channel, 0, 3);
                sendClientEvents(second, channel, 100, 3);
                assertThat(first.untilPong().stream().filter(m -> m.path("event").asText().equals("pusher:error")))
                        .isEmpty();
                assertThat(second.untilPong().stream().filter(m -> m.path("event").asText().equals("pusher:error")))
                        .isEmpty();
                assertThat(nextNumbers(receiver, 6)).containsExactlyInAnyOrder(0, 1, 2, 100, 101, 102);
            });
        }
    }

    @Test
    void zeroOrAbsentMeansPushersDefaultOfTenPerSecond() throws Exception {
        assertThat(DEFAULTED.maxClientEventsPerSecond()).isEqualTo(App.DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND).isEqualTo(10);
        assertThat(App.of("plain", "plain-key", "plain-secret").maxClientEventsPerSecond()).isEqualTo(10);
        LimitServers.withinOneSecond(() -> {
            String channel = "private-moves-" + CHANNELS.incrementAndGet();
            try (RawClient sender = subscriber(DEFAULTED, channel); RawClient receiver = subscriber(DEFAULTED, channel)) {
                sendClientEvents(sender, channel, 0, 12);
                for (int i = 0; i < 2; i++) {
                    assertThat(sender.expectError(4301).path("message").asText()).contains("10 client events per second");
                }
                assertThat(sender.untilPong()).as("exactly two refusals").isEmpty();
                assertThat(nextNumbers(receiver, 10)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            }
        });
    }

    @Test
    void aHigherLimitIsSetExplicitly() {
        String channel = "private-moves-" + CHANNELS.incrementAndGet();
        try (RawClient sender = subscriber(GENEROUS, channel); RawClient receiver = subscriber(GENEROUS, channel)) {
            sendClientEvents(sender, channel, 0, 30);
            assertThat(sender.untilPong()).isEmpty();
            assertThat(nextNumbers(receiver, 30)).hasSize(30);
        }
    }
}
