package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.config.HeraldConfig;
import io.herald.raw.RawClient;
import io.herald.testing.Poll;
import io.herald.testing.TcpProxy;
import io.herald.testing.TestServers;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code max_backend_events_per_second} and {@code max_read_requests_per_second} hold for the
 * whole cluster, not once per node, when the nodes share a Redis: requests alternate between two
 * nodes, as a round-robin load balancer sends them, and the app still gets its limit per second.
 */
class ClusterAppRateLimitTest {
    private static final App SMALL = LimitServers.app("shared-small", 0, 6, 4, false);
    private static final App LARGE = LimitServers.app("shared-large", 0, 20, 0, false);

    private static HttpResponse<String> publish(Herald node, App app) {
        return LimitServers.api(node.port(), app).post("/apps/" + app.id() + "/events",
                "{\"name\":\"e\",\"data\":\"x\",\"channels\":[\"news\"]}");
    }

    private static HttpResponse<String> read(Herald node, App app) {
        return LimitServers.api(node.port(), app).get("/apps/" + app.id() + "/channels", Map.of());
    }

    /** Two nodes of one cluster whose per-app limits share {@code shared}. */
    private static void withTwoNodes(HeraldConfig.AdapterConfig adapter, HeraldConfig.RateLimiterConfig limiter,
                                     NodesCheck check) throws Exception {
        HeraldConfig config = TestServers.config(SMALL, LARGE).toBuilder().adapter(adapter).rateLimiter(limiter).build();
        try (Herald a = TestServers.start(config.toBuilder().processId("limits-a-" + UUID.randomUUID()).build());
             Herald b = TestServers.start(config.toBuilder().processId("limits-b-" + UUID.randomUUID()).build())) {
            check.run(List.of(a, b));
        }
    }

    private interface NodesCheck {
        void run(List<Herald> nodes) throws Exception;
    }

    /** What alternating requests got: how many were accepted, and the most accepted within one wall-clock second. */
    private record Outcome(int accepted, int mostInOneSecond, boolean withinOneSecond) {}

    /**
     * Sends {@code requests} alternately through the nodes and requires each answer to be 200 or
     * 429. An accepted request counts for a wall-clock second when it was sent and answered within
     * it: however slow the machine, no second may hold more than the limit.
     */
    private static Outcome send(List<Herald> nodes, int requests, BiFunction<Herald, App, HttpResponse<String>> call, App app) {
        int accepted = 0;
        Map<Long, Integer> perSecond = new HashMap<>();
        long first = System.currentTimeMillis() / 1000;
        for (int i = 0; i < requests; i++) {
            long sent = System.currentTimeMillis() / 1000;
            int status = call.apply(nodes.get(i % nodes.size()), app).statusCode();
            assertThat(status).isIn(200, 429);
            if (status == 200) {
                accepted++;
                if (System.currentTimeMillis() / 1000 == sent) {
                    perSecond.merge(sent, 1, Integer::sum);
                }
            }
        }
        return new Outcome(accepted, perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0),
                System.currentTimeMillis() / 1000 == first);
    }

    private static void limitsHoldAcrossTheNodes(List<Herald> nodes) throws InterruptedException {
        AtomicReference<Outcome> small = new AtomicReference<>();
        AtomicReference<Outcome> reads = new AtomicReference<>();
        AtomicReference<Outcome> large = new AtomicReference<>();
        LimitServers.withinOneSecond(() -> small.set(send(nodes, 12, ClusterAppRateLimitTest::publish, SMALL)));
        LimitServers.withinOneSecond(() -> reads.set(send(nodes, 8, ClusterAppRateLimitTest::read, SMALL)));
        LimitServers.withinOneSecond(() -> large.set(send(nodes, 30, ClusterAppRateLimitTest::publish, LARGE)));
        assertThat(small.get().mostInOneSecond()).as("6 events per second for the cluster, not 6 per node").isLessThanOrEqualTo(6);
        assertThat(reads.get().mostInOneSecond()).as("4 channel queries per second for the cluster").isLessThanOrEqualTo(4);
        assertThat(large.get().mostInOneSecond()).isLessThanOrEqualTo(20);
        // Within one second (withinOneSecond tries three times; a machine too slow for that proves only the above), the whole limit.
        if (small.get().withinOneSecond()) {
            assertThat(small.get().accepted()).isEqualTo(6);
        }
        if (reads.get().withinOneSecond()) {
            assertThat(reads.get().accepted()).isEqualTo(4);
        }
        if (large.get().withinOneSecond()) {
            // Nodes take 20 / 10 = 2 tokens at a time: what one holds unspent is lost to the other.
            assertThat(large.get().accepted()).as("at most a chunk per node less than the limit").isBetween(20 - 2 * 2, 20);
        }
    }

    @Test
    void overTheRedisAdapterTheLimitsAreTheClustersNotEachNodes() throws Exception {
        String prefix = "herald_limits_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        withTwoNodes(new HeraldConfig.AdapterConfig.Redis(TestServers.redisUrl(), TestServers.redisUrl(), prefix, 5000),
                HeraldConfig.RateLimiterConfig.off(), ClusterAppRateLimitTest::limitsHoldAcrossTheNodes);
    }

    @Test
    void overNatsWithTheRateLimitersRedisClusterTheLimitsAreTheClusters() throws Exception {
        Assumptions.assumeTrue(TestServers.redisClusterNodes() != null, "scripts/test starts the Redis Cluster");
        String prefix = "herald_limits_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        HeraldConfig.RateLimiterConfig off = HeraldConfig.RateLimiterConfig.off();
        HeraldConfig.RateLimiterConfig limiter = new HeraldConfig.RateLimiterConfig(false, new HeraldConfig.RateLimiterBackend.Redis(
                new HeraldConfig.RedisEndpoint.Cluster(TestServers.redisClusterNodes()), prefix), off.apiMaxRequests(),
                off.apiWindowSeconds(), off.websocketMaxRequests(), off.websocketWindowSeconds(), false);
        withTwoNodes(new HeraldConfig.AdapterConfig.Nats(List.of(TestServers.natsUrl()), prefix, 5000, 5000, null, null, null),
                limiter, ClusterAppRateLimitTest::limitsHoldAcrossTheNodes);
    }

    @Test
    void whileTheSharedRedisIsAwayEachNodeAllowsItsShare() throws Exception {
        String prefix = "herald_limits_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        try (TcpProxy redis = TcpProxy.to(URI.create(TestServers.redisUrl()).getPort())) {
            HeraldConfig.RateLimiterConfig off = HeraldConfig.RateLimiterConfig.off();
            HeraldConfig.RateLimiterConfig limiter = new HeraldConfig.RateLimiterConfig(false, new HeraldConfig.RateLimiterBackend.Redis(
                    new HeraldConfig.RedisEndpoint.Standalone("redis://127.0.0.1:" + redis.port()), prefix), off.apiMaxRequests(),
                    off.apiWindowSeconds(), off.websocketMaxRequests(), off.websocketWindowSeconds(), false);
            withTwoNodes(new HeraldConfig.AdapterConfig.Nats(List.of(TestServers.natsUrl()), prefix, 5000, 5000, null, null, null),
                    limiter, nodes -> {
                        try (RawClient onB = RawClient.connectEstablished(nodes.get(1).port(), LARGE.key())) {
                            onB.subscribeOk("probe");
                            // A cluster-wide channel query through A lists B's channel once A counts B in.
                            Poll.until("node A hears node B", Duration.ofSeconds(10), Duration.ofMillis(50),
                                    () -> read(nodes.get(0), LARGE).body().contains("probe"), () -> "not yet");
                        }
                        redis.cut();
                        AtomicReference<Outcome> small = new AtomicReference<>();
                        LimitServers.withinOneSecond(() -> small.set(send(nodes, 12, ClusterAppRateLimitTest::publish, SMALL)));
                        assertThat(small.get().mostInOneSecond()).as("3 per node: the limit split over the 2 live nodes")
                                .isLessThanOrEqualTo(6);
                        if (small.get().withinOneSecond()) {
                            assertThat(small.get().accepted()).isEqualTo(6);
                        }
                    });
        }
    }

    @Test
    void overNatsWithoutARedisEachNodeCountsOnItsOwn() throws Exception {
        String prefix = "herald_limits_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        withTwoNodes(new HeraldConfig.AdapterConfig.Nats(List.of(TestServers.natsUrl()), prefix, 5000, 5000, null, null, null),
                HeraldConfig.RateLimiterConfig.off(), nodes -> {
                    AtomicReference<Outcome> small = new AtomicReference<>();
                    LimitServers.withinOneSecond(() -> small.set(send(nodes, 14, ClusterAppRateLimitTest::publish, SMALL)));
                    if (small.get().withinOneSecond()) {
                        assertThat(small.get().accepted()).as("6 per node, as the README says").isEqualTo(12);
                    }
                });
    }
}
