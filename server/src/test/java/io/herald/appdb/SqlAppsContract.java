package io.herald.appdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Herald;
import io.herald.app.CachingAppManager;
import io.herald.app.sql.SqlAppManager;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiClient;
import io.herald.raw.RawClient;
import io.herald.testing.CapturedLogs;
import io.herald.testing.Poll;
import io.herald.testing.TcpProxy;
import io.herald.testing.TestServers;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Apps kept in a real database, as an operator runs them: rows inserted, changed and disabled
 * while the server runs, a database that goes away, rows that cannot be apps, and Sockudo's own
 * table. Each test has a table of its own; the server reaches the database through a
 * {@link TcpProxy}, so that a test can take the database away from its server without stopping it
 * for the other test classes.
 */
abstract class SqlAppsContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration STEP = Duration.ofMillis(100);
    /** Seconds an app is used before it is read again: short, so that changes show quickly. */
    static final int TTL = 1;

    final String table = "herald_apps_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    TcpProxy proxy;
    Connection admin;
    Herald herald;

    /** A JDBC connection with the rights to create, change and drop tables. */
    abstract Connection adminConnection() throws SQLException;

    /** The database's own port on loopback. */
    abstract int databasePort();

    /** {@code app_manager} with this database reached at {@code port}. */
    abstract HeraldConfig.AppManagerConfig appManager(HeraldConfig.SqlDatabase database);

    /** The database block: user, password and database name of the test server. */
    abstract HeraldConfig.SqlDatabase database(int port, String password, String table);

    /** Sockudo's CREATE TABLE, as Sockudo 5 runs it (without Herald's extra column). */
    abstract String sockudoDdl(String table);

    /** A column name as written in SQL ({@code key} is reserved in MySQL). */
    abstract String column(String name);

    /** A JSON value as written in an INSERT (PostgreSQL's JSONB needs a cast). */
    abstract String jsonParameter();

    @BeforeEach
    void connect() throws SQLException {
        admin = adminConnection();
        proxy = TcpProxy.to(databasePort());
    }

    @AfterEach
    void cleanUp() throws SQLException {
        if (herald != null) {
            herald.close();
        }
        proxy.close();
        try (Statement statement = admin.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + table);
        }
        admin.close();
    }

    private Herald start() {
        herald = TestServers.start(TestServers.config().toBuilder()
                .appManager(appManager(database(proxy.port(), null, table))).build());
        return herald;
    }

    /** Inserts a row; values that are maps or lists go in as JSON text. */
    void insert(Map<String, Object> row) throws SQLException {
        StringBuilder names = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (String name : row.keySet()) {
            names.append(names.length() == 0 ? "" : ", ").append(column(name));
            values.append(values.length() == 0 ? "" : ", ").append(isJson(name) ? jsonParameter() : "?");
        }
        try (PreparedStatement statement = admin.prepareStatement(
                "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ")")) {
            int i = 1;
            for (Object value : row.values()) {
                statement.setObject(i++, value);
            }
            statement.executeUpdate();
        }
    }

    private static boolean isJson(String column) {
        return column.equals("webhooks") || column.equals("allowed_origins") || column.equals("policy");
    }

    void update(String set, String id) throws SQLException {
        try (Statement statement = admin.createStatement()) {
            statement.executeUpdate("UPDATE " + table + " SET " + set + " WHERE id = '" + id + "'");
        }
    }

    static Map<String, Object> row(String id, String key, String secret) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("key", key);
        row.put("secret", secret);
        return row;
    }

    /** How a connection with {@code key} ends up: "established", or the close code. */
    private String connectOutcome(String key) {
        try (RawClient client = RawClient.connect(herald.port(), key)) {
            var first = client.next();
            if (first.path("event").asText().equals("pusher:connection_established")) {
                return "established";
            }
            return Integer.toString(client.awaitClose().code());
        }
    }

    private void awaitConnect(String key, String outcome) throws InterruptedException {
        AtomicReference<String> last = new AtomicReference<>();
        Poll.until("key " + key + " gives " + outcome, WAIT, STEP, () -> {
            last.set(connectOutcome(key));
            return last.get().equals(outcome);
        }, last::get);
    }

    private int publish(String appId, String key, String secret) {
        return new ApiClient(herald.port(), key, secret)
                .post("/apps/" + appId + "/events", "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"{}\"}").statusCode();
    }

    private void awaitPublish(String appId, String key, String secret, int status) throws InterruptedException {
        AtomicReference<Integer> last = new AtomicReference<>();
        Poll.until("publishing as " + appId + " answers " + status, WAIT, STEP, () -> {
            last.set(publish(appId, key, secret));
            return last.get() == status;
        }, () -> String.valueOf(last.get()));
    }

    @Test
    void aTableSockudoMadeLoadsUnchangedFromItsFlatColumnsAndItsPolicy() throws Exception {
        try (Statement statement = admin.createStatement()) {
            statement.execute(sockudoDdl(table));
        }
        // Sockudo's sample row (flat columns, no policy), as its migration inserts it.
        Map<String, Object> sample = row("app-id", "app-key", "app-secret");
        sample.put("max_connections", 100000);
        sample.put("enable_client_messages", true);
        sample.put("max_client_events_per_second", 1000);
        sample.put("allowed_origins", "[\"*\"]");
        insert(sample);
        // A row written by Sockudo's API: the policy wins over the flat columns.
        Map<String, Object> managed = row("managed", "managed-key", "managed-secret");
        managed.put("max_connections", 0);
        managed.put("enable_client_messages", false);
        managed.put("max_client_events_per_second", 0);
        managed.put("policy", """
                {"limits": {"max_connections": "1", "max_client_events_per_second": 5},
                 "features": {"enable_client_messages": true, "enable_user_authentication": null},
                 "channels": {"allowed_origins": null}, "webhooks": null, "history": null}
                """);
        insert(managed);

        start();
        awaitConnect("app-key", "established");
        assertThat(publish("app-id", "app-key", "app-secret")).isEqualTo(200);
        try (RawClient first = RawClient.connectEstablished(herald.port(), "managed-key")) {
            assertThat(connectOutcome("managed-key")).as("the policy's max_connections 1, not the column's 0")
                    .isEqualTo("4004");
        }
    }

    @Test
    void anAppInsertedWhileRunningIsServedWithinTheTtl() throws Exception {
        start();
        assertThat(connectOutcome("new-key")).isEqualTo("4001");
        assertThat(publish("new", "new-key", "new-secret")).isEqualTo(404);
        insert(row("new", "new-key", "new-secret"));
        awaitConnect("new-key", "established");
        awaitPublish("new", "new-key", "new-secret", 200);
    }

    @Test
    void aChangedSecretAndADisabledAppTakeEffectWithinTheTtl() throws Exception {
        start(); // creates the table
        insert(row("live", "live-key", "old-secret"));
        assertThat(publish("live", "live-key", "old-secret")).isEqualTo(200);

        update("secret = 'new-secret'", "live");
        awaitPublish("live", "live-key", "new-secret", 200);
        assertThat(publish("live", "live-key", "old-secret")).isEqualTo(401);

        try (RawClient connected = RawClient.connectEstablished(herald.port(), "live-key")) {
            update("enabled = FALSE", "live");
            awaitConnect("live-key", "4003");
            awaitPublish("live", "live-key", "new-secret", 403);
            connected.expectError(4003);
            assertThat(connected.awaitClose().code()).as("an open connection of the disabled app").isEqualTo(4003);
        }
    }

    @Test
    void whileTheDatabaseIsAwayKnownAppsAreServedAndUpSaysWhy() throws Exception {
        start();
        insert(row("known", "known-key", "known-secret"));
        awaitConnect("known-key", "established");
        assertThat(publish("known", "known-key", "known-secret")).isEqualTo(200);

        try (CapturedLogs logs = CapturedLogs.of(CachingAppManager.class)) {
            proxy.cut();
            String body = TestServers.awaitUp(herald, 503);
            assertThat(body).contains("App database unreachable").contains(table);
            // Until the TTL has passed the app is fresh anyway; after it, it is served from memory.
            Poll.until("the app is served from memory", WAIT, STEP, () -> {
                assertThat(connectOutcome("known-key")).isEqualTo("established");
                return logs.warnings().stream().anyMatch(w -> w.contains("serving the apps read before from memory"));
            }, () -> String.valueOf(logs.warnings()));
        }
        assertThat(publish("known", "known-key", "known-secret")).isEqualTo(200);
        assertThat(connectOutcome("never-read-key")).as("an app never read cannot be checked: retry later")
                .isEqualTo("4100");

        proxy.restore();
        TestServers.awaitUp(herald, 200);
        insert(row("later", "later-key", "later-secret"));
        awaitConnect("later-key", "established");
    }

    @Test
    void rowsThatCannotBeAppsAreSkippedWithAWarningNamingThem() throws Exception {
        start();
        insert(row("fine", "fine-key", "fine-secret"));
        insert(row("no-secret", "no-secret-key", ""));
        Map<String, Object> badWebhooks = row("bad-webhooks", "bad-webhooks-key", "s");
        badWebhooks.put("webhooks", "{\"url\": \"https://h.example.com\"}");
        insert(badWebhooks);
        Map<String, Object> badOrigins = row("bad-origins", "bad-origins-key", "s");
        badOrigins.put("allowed_origins", "42");
        insert(badOrigins);
        try (CapturedLogs logs = CapturedLogs.of(SqlAppManager.class)) {
            assertThat(connectOutcome("no-secret-key")).isEqualTo("4001");
            assertThat(connectOutcome("bad-webhooks-key")).isEqualTo("4001");
            assertThat(connectOutcome("bad-origins-key")).isEqualTo("4001");
            assertThat(connectOutcome("fine-key")).isEqualTo("established");
            assertThat(logs.warnings())
                    .anyMatch(w -> w.contains("row 'no-secret' is skipped") && w.contains("secret"))
                    .anyMatch(w -> w.contains("row 'bad-webhooks' is skipped") && w.contains("webhooks"))
                    .anyMatch(w -> w.contains("row 'bad-origins' is skipped") && w.contains("allowed_origins"));
        }
    }

    @Test
    void keysAndIdsMatchExactlyWhateverTheColumnsCollation() throws Exception {
        start();
        insert(row("Exact", "Exact-Key", "s"));
        assertThat(connectOutcome("exact-key")).isEqualTo("4001");
        assertThat(connectOutcome("Exact-Key")).isEqualTo("established");
    }

    @Test
    void startUpWithAnUnreachableDatabaseFailsInOneLineWithoutThePassword() throws Exception {
        int nobody;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobody = socket.getLocalPort();
        }
        HeraldConfig config = TestServers.config().toBuilder()
                .appManager(appManager(database(nobody, "Hunter2Secret", table))).build();
        assertThatThrownBy(() -> Herald.start(config))
                .hasMessageStartingWith("app_manager.driver " + appManager(database(1, null, table)).driver()
                        + ": cannot connect to ")
                .hasMessageContaining("@127.0.0.1:" + nobody + "/")
                .hasMessageNotContaining("Hunter2Secret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
