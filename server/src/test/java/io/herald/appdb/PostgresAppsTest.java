package io.herald.appdb;

import io.herald.config.HeraldConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** {@code app_manager.driver: postgres} on the PostgreSQL that scripts/test runs (trust auth, database test). */
class PostgresAppsTest extends SqlAppsContract {
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("HERALD_TEST_POSTGRES_PORT", "5432"));

    @Override
    Connection adminConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + PORT + "/test", "postgres", "");
    }

    @Override
    int databasePort() {
        return PORT;
    }

    @Override
    HeraldConfig.AppManagerConfig appManager(HeraldConfig.SqlDatabase database) {
        return new HeraldConfig.AppManagerConfig.Postgres(database, new HeraldConfig.AppCache(true, TTL));
    }

    @Override
    HeraldConfig.SqlDatabase database(int port, String password, String table) {
        return new HeraldConfig.SqlDatabase("127.0.0.1", port, "postgres", password, "test", table, 4);
    }

    @Override
    String column(String name) {
        return "\"" + name + "\"";
    }

    @Override
    String jsonParameter() {
        return "CAST(? AS JSONB)";
    }

    @Override
    String sockudoDdl(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    id VARCHAR(255) PRIMARY KEY,\n"
                + "    key VARCHAR(255) UNIQUE NOT NULL,\n"
                + "    secret VARCHAR(255) NOT NULL,\n"
                + "    max_connections INTEGER NOT NULL,\n"
                + "    enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,\n"
                + "    enabled BOOLEAN NOT NULL DEFAULT TRUE,\n"
                + "    max_backend_events_per_second INTEGER,\n"
                + "    max_client_events_per_second INTEGER NOT NULL,\n"
                + "    max_read_requests_per_second INTEGER,\n"
                + "    max_presence_members_per_channel INTEGER,\n"
                + "    max_presence_member_size_in_kb INTEGER,\n"
                + "    max_channel_name_length INTEGER,\n"
                + "    max_event_channels_at_once INTEGER,\n"
                + "    max_event_name_length INTEGER,\n"
                + "    max_event_payload_in_kb INTEGER,\n"
                + "    max_event_batch_size INTEGER,\n"
                + "    enable_user_authentication BOOLEAN,\n"
                + "    enable_watchlist_events BOOLEAN,\n"
                + "    policy JSONB,\n"
                + "    webhooks JSONB,\n"
                + "    allowed_origins JSONB,\n"
                + "    channel_delta_compression JSONB,\n"
                + "    idempotency JSONB,\n"
                + "    connection_recovery JSONB,\n"
                + "    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
                + "    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP\n"
                + ")";
    }
}
