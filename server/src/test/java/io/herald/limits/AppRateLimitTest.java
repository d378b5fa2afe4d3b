package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.raw.ApiClient;
import io.herald.raw.RawClient;
import io.herald.testing.TestServers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code max_backend_events_per_second} (each event on each channel counts, a batch counts each
 * event) and {@code max_read_requests_per_second} (channel queries): 429 over the limit, per app.
 */
class AppRateLimitTest {
    private static final App PUBLISHER = LimitServers.app("backend-limited", 0, 5, 0, false);
    private static final App READER = LimitServers.app("read-limited", 0, 0, 2, false);
    private static final App FREE = LimitServers.app("unlimited", 0, 0, 0, false);

    private static Herald herald;

    @BeforeAll
    static void start() {
        herald = TestServers.start(PUBLISHER, READER, FREE);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static HttpResponse<String> publish(App app, String name, String... channels) {
        String list = String.join("\",\"", channels);
        return LimitServers.api(herald.port(), app).post("/apps/" + app.id() + "/events",
                "{\"name\":\"" + name + "\",\"data\":\"x\",\"channels\":[\"" + list + "\"]}");
    }

    private static HttpResponse<String> batch(App app, String namePrefix, int events) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < events; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"name\":\"").append(namePrefix).append(i).append("\",\"data\":\"x\",\"channel\":\"news\"}");
        }
        return LimitServers.api(herald.port(), app).post("/apps/" + app.id() + "/batch_events", batch + "]}");
    }

    private static HttpResponse<String> read(App app, String path) {
        return LimitServers.api(herald.port(), app).get("/apps/" + app.id() + path, Map.of());
    }

    private static void assertTooMany(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(ApiClient.json(response).path("error").asText()).startsWith("Too many requests");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void backendEventsAreCountedPerChannelAndPerBatchEvent() throws Exception {
        try (RawClient subscriber = RawClient.connectEstablished(herald.port(), PUBLISHER.key())) {
            subscriber.subscribeOk("news");
            LimitServers.withinOneSecond(() -> {
                assertThat(publish(PUBLISHER, "first", "news", "sport", "weather").statusCode()).isEqualTo(200);
                assertTooMany(publish(PUBLISHER, "refused", "news", "sport", "weather"));
                assertThat(batch(PUBLISHER, "ok", 2).statusCode()).as("3 + 2 = 5 events").isEqualTo(200);
                assertTooMany(publish(PUBLISHER, "refused", "news"));
                assertTooMany(batch(PUBLISHER, "refused", 1));
            });
            Thread.sleep(1100);
            assertThat(publish(PUBLISHER, "next-second", "news").statusCode()).isEqualTo(200);
            // Deliveries keep the order of the publishes: anything refused would show up before the last one.
            List<String> received = new ArrayList<>();
            while (received.isEmpty() || !received.get(received.size() - 1).equals("next-second")) {
                received.add(subscriber.next().path("event").asText());
            }
            assertThat(received).as("nothing of a refused request is published")
                    .noneMatch(name -> name.startsWith("refused"))
                    .containsSubsequence("first", "ok0", "ok1", "next-second");
        }
    }

    @Test
    void channelQueriesAreLimitedApartFromPublishing() throws Exception {
        LimitServers.withinOneSecond(() -> {
            assertThat(read(READER, "/channels").statusCode()).isEqualTo(200);
            assertThat(read(READER, "/channels/news").statusCode()).isEqualTo(200);
            assertTooMany(read(READER, "/channels"));
            assertTooMany(read(READER, "/channels/presence-room/users"));
            assertThat(publish(READER, "still-publishing", "news").statusCode()).isEqualTo(200);
            assertThat(read(FREE, "/channels").statusCode()).as("other apps have their own count").isEqualTo(200);
        });
        Thread.sleep(1100);
        assertThat(read(READER, "/channels").statusCode()).isEqualTo(200);
    }

    @Test
    void zeroMeansUnlimited() {
        for (int i = 0; i < 25; i++) {
            assertThat(publish(FREE, "e", "a", "b", "c").statusCode()).isEqualTo(200);
            assertThat(read(FREE, "/channels").statusCode()).isEqualTo(200);
        }
    }
}
