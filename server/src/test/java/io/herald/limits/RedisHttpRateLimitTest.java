package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.raw.ApiClient;
import io.herald.testing.TestServers;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two nodes with {@code rate_limiter.driver: redis} on the real Redis: the per-IP limits count across both. */
class RedisHttpRateLimitTest {
    private static final String CHANNELS = "/apps/" + TestServers.APP_ID + "/channels";

    private static Herald nodeA;
    private static Herald nodeB;
    private static ApiClient apiA;
    private static ApiClient apiB;

    @BeforeAll
    static void start() {
        // A fresh prefix per run, so an earlier run's counts can never answer for this one.
        String prefix = "herald_test_rl_" + UUID.randomUUID() + ":";
        var limiter = LimitServers.rateLimiter("redis", 3, 2, true, TestServers.redisUrl(), prefix);
        nodeA = TestServers.start(LimitServers.withRateLimiter(TestServers.config(), limiter));
        nodeB = TestServers.start(LimitServers.withRateLimiter(TestServers.config(), limiter));
        apiA = new ApiClient(nodeA.port(), TestServers.APP_KEY, TestServers.APP_SECRET);
        apiB = new ApiClient(nodeB.port(), TestServers.APP_KEY, TestServers.APP_SECRET);
    }

    @AfterAll
    static void stop() {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void apiRequestsCountAcrossNodes() {
        assertThat(LimitServers.get(nodeA.port(), apiA, CHANNELS, "10.7.0.1").statusCode()).isEqualTo(200);
        assertThat(LimitServers.get(nodeB.port(), apiB, CHANNELS, "10.7.0.1").statusCode()).isEqualTo(200);
        assertThat(LimitServers.get(nodeA.port(), apiA, CHANNELS, "10.7.0.1").statusCode()).isEqualTo(200);
        var refused = LimitServers.get(nodeB.port(), apiB, CHANNELS, "10.7.0.1");
        assertThat(refused.statusCode()).as("the 4th request, the 2nd on node B").isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(LimitServers.get(nodeA.port(), apiA, CHANNELS, "10.7.0.1").statusCode()).isEqualTo(429);
        assertThat(LimitServers.get(nodeB.port(), apiB, CHANNELS, "10.7.0.2").statusCode()).isEqualTo(200);
    }

    @Test
    void upgradesCountAcrossNodes() {
        assertThat(LimitServers.upgrade(nodeA.port(), TestServers.APP_KEY, "10.8.0.1").status()).isEqualTo(101);
        assertThat(LimitServers.upgrade(nodeB.port(), TestServers.APP_KEY, "10.8.0.1").status()).isEqualTo(101);
        assertThat(LimitServers.upgrade(nodeA.port(), TestServers.APP_KEY, "10.8.0.1").status()).isEqualTo(429);
        assertThat(LimitServers.upgrade(nodeB.port(), TestServers.APP_KEY, "10.8.0.1").status()).isEqualTo(429);
    }
}
