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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pusher_internal:subscription_count} for apps with {@code enable_subscription_count_event}. */
class SubscriptionCountTest {
    private static final String EVENT = "pusher_internal:subscription_count";
    private static final App COUNTED = LimitServers.app("counted", 0, 0, 0, true);
    private static final App PLAIN = LimitServers.app("not-counted", 0, 0, 0, false);

    private static Herald herald;

    @BeforeAll
    static void start() {
        herald = TestServers.start(COUNTED, PLAIN);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static RawClient connect(App app) {
        return RawClient.connectEstablished(herald.port(), app.key());
    }

    /** The next subscription_count of {@code channel} (skipping anything else); returns its count. */
    private static int nextCount(RawClient client, String channel) {
        JsonNode message = client.skipUntil(EVENT);
        assertThat(message.path("channel").asText()).isEqualTo(channel);
        JsonNode data = RawClient.parseData(message); // data is a JSON string, as for every pusher_internal event
        assertThat(data.size()).as("only subscription_count in %s", data).isEqualTo(1);
        return data.path("subscription_count").asInt();
    }

    /** Waits past the coalescing delay, then returns the subscription_count messages received. */
    private static List<JsonNode> countsAfterQuietPeriod(RawClient client) throws InterruptedException {
        Thread.sleep(400);
        return client.untilPong().stream().filter(m -> m.path("event").asText().equals(EVENT)).toList();
    }

    @Test
    void everySubscribeAndUnsubscribeSendsTheCountToTheSubscribers() throws Exception {
        try (RawClient a = connect(COUNTED); RawClient b = connect(COUNTED); RawClient c = connect(COUNTED)) {
            a.subscribeOk("lobby");
            assertThat(nextCount(a, "lobby")).isEqualTo(1);
            b.subscribeOk("lobby");
            assertThat(nextCount(a, "lobby")).isEqualTo(2);
            assertThat(nextCount(b, "lobby")).isEqualTo(2);
            b.event("pusher:unsubscribe", null, RawClient.JSON.createObjectNode().put("channel", "lobby"));
            assertThat(nextCount(a, "lobby")).isEqualTo(1);
            assertThat(countsAfterQuietPeriod(b)).as("no longer subscribed").isEmpty();
            c.subscribeOk("lobby");
            assertThat(nextCount(a, "lobby")).isEqualTo(2);
            c.close(); // a disconnect counts as an unsubscribe
            assertThat(nextCount(a, "lobby")).isEqualTo(1);
            assertThat(countsAfterQuietPeriod(a)).isEmpty();
        }
    }

    @Test
    void privateChannelsAreCountedToo() {
        try (RawClient a = connect(COUNTED)) {
            a.subscribe("private-desk", ApiSigner.channelAuth(COUNTED.key(), COUNTED.secret(), a.socketId(), "private-desk"), null);
            a.expectSubscribed("private-desk");
            assertThat(nextCount(a, "private-desk")).isEqualTo(1);
        }
    }

    @Test
    void presenceChannelsAndAppsWithoutTheSwitchGetNone() throws Exception {
        try (RawClient a = connect(COUNTED); RawClient b = connect(COUNTED); RawClient plain = connect(PLAIN);
             RawClient plain2 = connect(PLAIN)) {
            for (RawClient client : List.of(a, b)) {
                String data = "{\"user_id\":\"" + client.socketId() + "\"}";
                client.subscribe("presence-room", ApiSigner.presenceAuth(COUNTED.key(), COUNTED.secret(), client.socketId(),
                        "presence-room", data), data);
                client.expectSubscribed("presence-room");
            }
            b.close();
            plain.subscribeOk("lobby");
            plain2.subscribeOk("lobby");
            plain2.close();
            assertThat(countsAfterQuietPeriod(a)).isEmpty();
            assertThat(countsAfterQuietPeriod(plain)).isEmpty();
        }
    }

    @Test
    void internalWatchlistChannelsGetNone() throws Exception {
        try (RawClient watcher = connect(COUNTED); RawClient other = connect(COUNTED)) {
            for (RawClient client : List.of(watcher, other)) {
                String userData = "{\"id\":\"w-" + client.socketId() + "\",\"watchlist\":[\"someone\"]}";
                client.event("pusher:signin", null, RawClient.JSON.createObjectNode().put("user_data", userData)
                        .put("auth", ApiSigner.signInAuth(COUNTED.key(), COUNTED.secret(), client.socketId(), userData)));
                client.expect("pusher:signin_success");
            }
            other.close(); // leaves #watchlist:someone, which the watcher is still in
            assertThat(countsAfterQuietPeriod(watcher)).isEmpty();
        }
    }

    @Test
    void aBurstOfSubscribesIsCoalescedAndEndsWithTheFinalCount() throws Exception {
        List<RawClient> crowd = new ArrayList<>();
        try (RawClient observer = connect(COUNTED)) {
            observer.subscribeOk("burst");
            assertThat(nextCount(observer, "burst")).isEqualTo(1);
            for (int i = 0; i < 30; i++) {
                crowd.add(connect(COUNTED));
            }
            // One subscribe every 2 ms or so: each would be its own message without coalescing.
            for (RawClient client : crowd) {
                client.subscribe("burst");
                Thread.sleep(2);
            }
            int messages = 0;
            int count = 0;
            while (count != 31) {
                count = nextCount(observer, "burst");
                messages++;
            }
            assertThat(messages).as("30 subscribes in a burst make few messages").isLessThanOrEqualTo(6);
            // A subscribe that lands while a count is being sent gets one more run, which may
            // repeat 31 (a newcomer must learn the count even when it did not change); never another.
            assertThat(countsAfterQuietPeriod(observer)).as("counts after 31")
                    .hasSizeLessThanOrEqualTo(1)
                    .allSatisfy(m -> assertThat(m.path("data").asText()).isEqualTo("{\"subscription_count\":31}"));
        } finally {
            crowd.forEach(RawClient::close);
        }
    }

    @Test
    void aChannelOverOneHundredGetsAtMostOneCountEveryFiveSeconds() throws Exception {
        List<RawClient> crowd = new ArrayList<>();
        try (RawClient observer = connect(COUNTED)) {
            observer.subscribeOk("stadium");
            for (int i = 0; i < 100; i++) {
                crowd.add(connect(COUNTED));
            }
            crowd.forEach(client -> client.subscribe("stadium"));
            while (nextCount(observer, "stadium") != 101) {
                // earlier counts of the burst
            }
            long over100 = System.nanoTime();
            RawClient late = connect(COUNTED);
            crowd.add(late);
            late.subscribeOk("stadium");
            crowd.get(0).event("pusher:unsubscribe", null, RawClient.JSON.createObjectNode().put("channel", "stadium"));
            late.event("pusher:unsubscribe", null, RawClient.JSON.createObjectNode().put("channel", "stadium"));
            RawClient last = connect(COUNTED);
            crowd.add(last);
            last.subscribeOk("stadium");
            // 101 + late - crowd[0] - late + last = 101; one message carries the outcome of all four changes.
            int count = nextCount(observer, "stadium");
            long waitedMillis = (System.nanoTime() - over100) / 1_000_000;
            assertThat(waitedMillis).as("at most one count every 5 s over 100 subscribers").isGreaterThanOrEqualTo(4500);
            assertThat(count).as("the last count after the burst").isEqualTo(101);
            assertThat(countsAfterQuietPeriod(observer)).isEmpty();
        } finally {
            crowd.forEach(RawClient::close);
        }
    }
}
