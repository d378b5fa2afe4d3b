package io.herald.appdb;

import io.herald.config.HeraldConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** {@code app_manager.driver: mysql} on the MariaDB that scripts/test runs (root, no password, database test). */
class MysqlAppsTest extends SqlAppsContract {
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("HERALD_TEST_MYSQL_PORT", "3306"));

    @Override
    Connection adminConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + PORT + "/test", "root", "");
    }

    @Override
    int databasePort() {
        return PORT;
    }

    @Override
    HeraldConfig.AppManagerConfig appManager(HeraldConfig.SqlDatabase database) {
        return new HeraldConfig.AppManagerConfig.Mysql(database, new HeraldConfig.AppCache(true, TTL));
    }

    @Override
    HeraldConfig.SqlDatabase database(int port, String password, String table) {
        return new HeraldConfig.SqlDatabase("127.0.0.1", port, "root", password, "test", table, 4);
    }

    @Override
    String column(String name) {
        return "`" + name + "`";
    }

    @Override
    String jsonParameter() {
        return "?";
    }

    @Override
    String sockudoDdl(String table) {
        return "CREATE TABLE IF NOT EXISTS `" + table + "` (\n"
                + "    id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_general_ci PRIMARY KEY,\n"
                + "    `key` VARCHAR(255) CHARACTER SET ascii COLLATE ascii_general_ci UNIQUE NOT NULL,\n"
                + "    secret VARCHAR(255) NOT NULL,\n"
                + "    max_connections INT UNSIGNED NOT NULL,\n"
                + "    enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,\n"
                + "    enabled BOOLEAN NOT NULL DEFAULT TRUE,\n"
                + "    max_backend_events_per_second INT UNSIGNED NULL,\n"
                + "    max_client_events_per_second INT UNSIGNED NOT NULL,\n"
                + "    max_read_requests_per_second INT UNSIGNED NULL,\n"
                + "    max_presence_members_per_channel INT UNSIGNED NULL,\n"
                + "    max_presence_member_size_in_kb INT UNSIGNED NULL,\n"
                + "    max_channel_name_length INT UNSIGNED NULL,\n"
                + "    max_event_channels_at_once INT UNSIGNED NULL,\n"
                + "    max_event_name_length INT UNSIGNED NULL,\n"
                + "    max_event_payload_in_kb INT UNSIGNED NULL,\n"
                + "    max_event_batch_size INT UNSIGNED NULL,\n"
                + "    enable_user_authentication BOOLEAN NULL,\n"
                + "    enable_watchlist_events BOOLEAN NULL,\n"
                + "    policy JSON NULL,\n"
                + "    webhooks JSON NULL,\n"
                + "    allowed_origins JSON NULL,\n"
                + "    channel_delta_compression JSON NULL,\n"
                + "    idempotency JSON NULL,\n"
                + "    connection_recovery JSON NULL,\n"
                + "    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
                + "    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP\n"
                + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
    }
}
