package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipelined HTTP requests on one connection are answered one at a time, in request order, each
 * with its own CORS origin, even when an earlier one completes later (the Redis rate limiter
 * answers API requests asynchronously; {@code /up} is answered at once).
 */
class RawHttpPipeliningTest {
    private static final String ORIGIN_A = "https://a.example";
    private static final String ORIGIN_B = "https://b.example";

    private static Herald herald;
    private static int port;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        HeraldConfig config = TestServers.config().toBuilder()
                .rateLimiter(new HeraldConfig.RateLimiterConfig(true, new HeraldConfig.RateLimiterBackend.Redis(
                        new HeraldConfig.RedisEndpoint.Standalone(TestServers.redisUrl()),
                        "herald_test_pipelining_" + UUID.randomUUID() + ":"), 100_000, 60, 100_000, 60, false))
                .cors(new HeraldConfig.CorsConfig(List.of(ORIGIN_A, ORIGIN_B), List.of("GET", "POST", "OPTIONS"),
                        List.of("Authorization", "Content-Type"), false))
                .build();
        herald = TestServers.start(config);
        port = herald.port();
        api = new ApiClient(port, TestServers.APP_KEY, TestServers.APP_SECRET);
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    /** A signed GET of the app's channel list: counted by the Redis rate limiter first, so answered later. */
    private static String channelsRequest(String origin) {
        String path = "/apps/" + TestServers.APP_ID + "/channels";
        return origin == null ? api.rawSignedGet(path) : api.rawSignedGet(path, "Origin: " + origin);
    }

    private static String get(String pathAndQuery, String origin) {
        return "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
    }

    @Test
    void answersKeepRequestOrderAndEachRequestsOrigin() throws Exception {
        try (RawHttp http = RawHttp.open(port)) {
            http.write(channelsRequest(ORIGIN_A) + get("/up", ORIGIN_B) + channelsRequest(null) + get("/usage", ORIGIN_A)
                    + channelsRequest(ORIGIN_B));

            RawHttp.Response first = http.read();
            assertThat(first.body()).as("answer 1 is the first channel list").contains("\"channels\"");
            assertThat(first.header("Access-Control-Allow-Origin")).isEqualTo(ORIGIN_A);

            RawHttp.Response second = http.read();
            assertThat(second.body()).as("answer 2 is /up").isEqualTo("OK");
            assertThat(second.header("Access-Control-Allow-Origin")).isEqualTo(ORIGIN_B);

            RawHttp.Response third = http.read();
            assertThat(third.body()).as("answer 3 is the second channel list").contains("\"channels\"");
            assertThat(third.header("Access-Control-Allow-Origin")).as("no Origin, no CORS header").isNull();

            RawHttp.Response fourth = http.read();
            assertThat(fourth.body()).as("answer 4 is /usage").contains("\"memory\"");
            assertThat(fourth.header("Access-Control-Allow-Origin")).isEqualTo(ORIGIN_A);

            RawHttp.Response fifth = http.read();
            assertThat(fifth.body()).as("answer 5 is the third channel list").contains("\"channels\"");
            assertThat(fifth.header("Access-Control-Allow-Origin")).isEqualTo(ORIGIN_B);
        }
    }

    @Test
    void aLongPipelineIsAnsweredWholeAndInOrder() throws Exception {
        int requests = 3000;
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            pipeline.append(get("/pipelined-" + i, null)); // 404s that name their path
        }
        try (RawHttp http = RawHttp.open(port)) {
            // Written from another thread: once the server stops reading, this write waits for us to read.
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    http.write(pipeline.toString());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                RawHttp.Response response = http.read();
                assertThat(response.status()).isEqualTo(404);
                bodies.add(response.body());
            }
            writing.get();
            for (int i = 0; i < requests; i++) {
                assertThat(bodies.get(i)).as("answer %d", i).contains("/pipelined-" + i + "\"");
            }
        }
        RawClient.assertServerServes(port, TestServers.APP_KEY);
    }
}
