package io.herald.appdb;

import static io.herald.testing.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.config.ConfigLoader;
import io.herald.raw.ApiClient;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.TestServers;
import io.herald.testing.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scaling guide's shared-backend setup, as printed: three nodes started from its blocks
 * (adapter redis, app_manager mysql or postgres with its cache, cache redis, queue redis), with the
 * apps in the database. Clients spread over the nodes behave as on one server, and the app's
 * webhook is posted once.
 */
class SeedClusterWithDatabaseAppsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static String seedBlocks(String driver, String table, String prefix, String redis) {
        String port = driver.equals("mysql") ? MysqlAppsTest.PORT + "" : PostgresAppsTest.PORT + "";
        String user = driver.equals("mysql") ? "root" : "postgres";
        return """
                {
                  "host": "127.0.0.1", "port": 0,
                  "adapter": {
                    "driver": "redis",
                    "redis": {
                      "requests_timeout": 5000,
                      "prefix": "%4$sadapter:",
                      "cluster_mode": false,
                      "redis_pub_options": { "url": "%5$s" },
                      "redis_sub_options": { "url": "%5$s" }
                    }
                  },
                  "app_manager": {
                    "driver": "%1$s",  // Shared database
                    "cache": { "enabled": true, "ttl": 300 }
                  },
                  "database": {
                    "%1$s": {
                      "host": "127.0.0.1", "port": %2$s, "username": "%6$s", "database": "test", "table_name": "%3$s",
                      "connection_pool_size": 10
                    }
                  },
                  "cache": { "driver": "redis", "redis": { "prefix": "%4$scache:", "url_override": "%5$s" } },
                  "queue": { "driver": "redis", "redis": { "concurrency": 5, "prefix": "%4$squeue:", "url_override": "%5$s" } }
                }
                """.formatted(driver, port, table, prefix, redis, user);
    }

    private static Connection admin(String driver) throws Exception {
        return driver.equals("mysql")
                ? DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + MysqlAppsTest.PORT + "/test", "root", "")
                : DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + PostgresAppsTest.PORT + "/test", "postgres", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "postgres"})
    void threeNodesFromTheGuidesBlocksWithAppsInTheDatabaseAreOneServer(String driver) throws Exception {
        String table = "herald_seed_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String prefix = "herald_seed_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        Path config = Files.writeString(dir.resolve("herald.json"), seedBlocks(driver, table, prefix, TestServers.redisUrl()));
        List<Herald> nodes = new ArrayList<>();
        try (Connection admin = admin(driver); WebhookReceiver receiver = WebhookReceiver.start()) {
            for (int i = 1; i <= 3; i++) {
                // Three nodes on one machine: each its own free metrics port.
                nodes.add(Herald.start(ConfigLoader.load(config, Map.of("INSTANCE_PROCESS_ID", prefix + "node-" + i,
                        "METRICS_HOST", "127.0.0.1", "METRICS_PORT", "0"), dir)));
            }
            // Added while the nodes run, as an operator adds an app.
            String keyColumn = driver.equals("mysql") ? "`key`" : "key";
            String json = driver.equals("mysql") ? "?" : "CAST(? AS JSONB)";
            try (PreparedStatement insert = admin.prepareStatement("INSERT INTO " + table + " (id, " + keyColumn
                    + ", secret, enable_client_messages, webhooks) VALUES ('shop', 'shop-key', 'shop-secret', TRUE, " + json + ")")) {
                insert.setString(1, "[{\"url\": \"" + receiver.url("/hooks") + "\", \"event_types\": [\"channel_occupied\"]}]");
                insert.executeUpdate();
            }

            List<RawClient> clients = new ArrayList<>();
            try {
                for (Herald node : nodes) {
                    RawClient client = RawClient.connectEstablished(node.port(), "shop-key");
                    clients.add(client);
                    client.subscribeOk("orders");
                }
                ApiClient api = new ApiClient(nodes.get(1).port(), "shop-key", "shop-secret");
                assertThat(api.post("/apps/shop/events", "{\"name\":\"placed\",\"channels\":[\"orders\"],\"data\":\"{\\\"id\\\":1}\"}")
                        .statusCode()).isEqualTo(200);
                for (RawClient client : clients) {
                    JsonNode delivered = client.skipUntil("placed");
                    assertThat(delivered.path("channel").asText()).isEqualTo("orders");
                }

                // Presence across nodes: the member on node 3 sees the one on node 1 join, and client events cross.
                RawClient alice = clients.get(0);
                RawClient bob = clients.get(2);
                String channel = "presence-room";
                String aliceData = "{\"user_id\":\"alice\"}";
                String bobData = "{\"user_id\":\"bob\"}";
                bob.subscribe(channel, ApiSigner.presenceAuth("shop-key", "shop-secret", bob.socketId(), channel, bobData), bobData);
                bob.expectSubscribed(channel);
                alice.subscribe(channel, ApiSigner.presenceAuth("shop-key", "shop-secret", alice.socketId(), channel, aliceData),
                        aliceData);
                String members = alice.expectSubscribed(channel).path("data").asText();
                assertThat(members).contains("alice");
                if (!members.contains("bob")) {
                    // Bob joined on another node a moment before: he may arrive just after the list (see the README).
                    assertThat(alice.skipUntil("pusher_internal:member_added").path("data").asText()).contains("bob");
                }
                assertThat(bob.skipUntil("pusher_internal:member_added").path("data").asText()).contains("alice");
                alice.event("client-hello", channel, Map.of("from", "alice"));
                assertThat(bob.skipUntil("client-hello").path("data").asText()).contains("alice");

                // One channel_occupied for the channel subscribed on three nodes, posted by one of them.
                receiver.awaitEvents("/hooks", event("channel_occupied", "orders"), 1, WAIT);
                assertThat(receiver.awaitEvents("/hooks", event("channel_occupied", "presence-room"), 1, WAIT)).hasSize(1);
                assertThat(receiver.events("/hooks", event("channel_occupied", "orders"))).hasSize(1);
            } finally {
                clients.forEach(RawClient::close);
            }
        } finally {
            nodes.forEach(Herald::close);
            try (Connection admin = admin(driver); Statement statement = admin.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }
}
