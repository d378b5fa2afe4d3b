package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.testing.PrivateRedis;
import io.herald.testing.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What an operator sees when the cluster backend is missing, lost, or sends garbage. */
class ClusterBackendFaultsTest {
    private static HeraldConfig node(String driver, String url, String prefix) {
        HeraldConfig.AdapterConfig adapter = driver.equals("redis") ? new HeraldConfig.AdapterConfig.Redis(url, url, prefix, 1000)
                : new HeraldConfig.AdapterConfig.Nats(List.of(url), prefix, 1000, 1000, null, null, null);
        return TestServers.withAdapter(TestServers.config(), adapter, "faults-" + UUID.randomUUID());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void unreachableBackendStopsStartupWithOneClearLine() throws Exception {
        int nobody = freePort();
        assertThatThrownBy(() -> Herald.start(node("nats", "nats://127.0.0.1:" + nobody, "p:")))
                .hasMessageStartingWith("adapter.driver nats: cannot connect to nats://127.0.0.1:" + nobody);
        assertThatThrownBy(() -> Herald.start(node("redis", "redis://127.0.0.1:" + nobody, "p:")))
                .hasMessageStartingWith("adapter.driver redis: cannot connect to redis://127.0.0.1:" + nobody);
    }

    @Test
    void unreadableBusMessagesAreIgnoredAndDeliveryGoesOn() {
        String prefix = "herald_test_" + UUID.randomUUID() + ":";
        try (Herald herald = TestServers.start(node("redis", TestServers.redisUrl(), prefix));
             WsClient client = new WsClient("subscriber", TestServers.APP_KEY, herald.port(), null).connect()) {
            client.subscribe("after-garbage");
            RedisClient redis = RedisClient.create(TestServers.redisUrl());
            try (StatefulRedisConnection<String, String> connection = redis.connect()) {
                connection.sync().publish(prefix + "broadcast", "not a cluster message");
                connection.sync().publish(prefix + "broadcast", "\u0001\u0000\u0009");
            } finally {
                redis.shutdown();
            }
            com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
            rest.setHost("127.0.0.1:" + herald.port());
            assertThat(rest.trigger("after-garbage", "still-working", Map.of()).getHttpStatus()).isEqualTo(200);
            client.awaitEvent("after-garbage", "still-working");
        }
    }

    /**
     * The node's own Redis goes away: {@code /up} answers 503 naming the adapter, the node keeps
     * serving its own clients, and when Redis is back Lettuce reconnects and {@code /up} is 200 again.
     */
    @Test
    void lostBackendMakesUpAnswer503UntilItReturns() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             Herald herald = TestServers.start(node("redis", redis.url(), "faults:"))) {
            assertThat(TestServers.up(herald).statusCode()).isEqualTo(200);
            redis.down();
            assertThat(TestServers.awaitUp(herald, 503)).contains("Cluster backend (redis) unreachable");

            redis.up();
            TestServers.awaitUp(herald, 200);
        }
    }
}
