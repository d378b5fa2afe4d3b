package io.herald.app.sql;

import java.util.Map;

/**
 * What differs between MySQL/MariaDB and PostgreSQL for the apps table: the JDBC URL, the DDL,
 * and how the {@code key} column is named in a query (a reserved word in MySQL).
 *
 * <p>The table is Sockudo's: the same columns with the same types, so that a table Sockudo
 * created loads unchanged, plus {@code enable_subscription_count_event}, which Sockudo keeps only
 * inside {@code policy}. Queries read the columns by name and tolerate missing ones.
 */
public enum SqlDialect {
    MYSQL("mysql") {
        @Override
        String jdbcUrl(String host, int port, String database) {
            return "jdbc:mariadb://" + host + ":" + port + "/" + database;
        }

        @Override
        Map<String, String> driverProperties() {
            // Milliseconds: a stopped database must fail a query, not hold a pool thread forever.
            return Map.of("connectTimeout", "5000", "socketTimeout", "10000");
        }

        @Override
        String table(String name) {
            return "`" + name + "`";
        }

        @Override
        String keyColumn() {
            return "`key`";
        }

        @Override
        String createTable(String name) {
            return "CREATE TABLE IF NOT EXISTS " + table(name) + " (\n"
                    + "  id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_general_ci PRIMARY KEY,\n"
                    + "  `key` VARCHAR(255) CHARACTER SET ascii COLLATE ascii_general_ci UNIQUE NOT NULL,\n"
                    + "  secret VARCHAR(255) NOT NULL,\n"
                    + "  max_connections INT UNSIGNED NOT NULL DEFAULT 0,\n"
                    + "  enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,\n"
                    + "  enabled BOOLEAN NOT NULL DEFAULT TRUE,\n"
                    + "  max_backend_events_per_second INT UNSIGNED NULL,\n"
                    + "  max_client_events_per_second INT UNSIGNED NOT NULL DEFAULT 0,\n"
                    + "  max_read_requests_per_second INT UNSIGNED NULL,\n"
                    + "  max_presence_members_per_channel INT UNSIGNED NULL,\n"
                    + "  max_presence_member_size_in_kb INT UNSIGNED NULL,\n"
                    + "  max_channel_name_length INT UNSIGNED NULL,\n"
                    + "  max_event_channels_at_once INT UNSIGNED NULL,\n"
                    + "  max_event_name_length INT UNSIGNED NULL,\n"
                    + "  max_event_payload_in_kb INT UNSIGNED NULL,\n"
                    + "  max_event_batch_size INT UNSIGNED NULL,\n"
                    + "  enable_user_authentication BOOLEAN NULL,\n"
                    + "  enable_watchlist_events BOOLEAN NULL,\n"
                    + "  enable_subscription_count_event BOOLEAN NULL,\n"
                    + "  policy JSON NULL,\n"
                    + "  webhooks JSON NULL,\n"
                    + "  allowed_origins JSON NULL,\n"
                    + "  channel_delta_compression JSON NULL,\n"
                    + "  idempotency JSON NULL,\n"
                    + "  connection_recovery JSON NULL,\n"
                    + "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
                    + "  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP\n"
                    + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
        }
    },

    POSTGRES("postgres") {
        @Override
        String jdbcUrl(String host, int port, String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        @Override
        Map<String, String> driverProperties() {
            // Seconds.
            return Map.of("connectTimeout", "5", "socketTimeout", "10", "loginTimeout", "5");
        }

        @Override
        String table(String name) {
            return name; // unquoted, as Sockudo names it (PostgreSQL folds it to lower case)
        }

        @Override
        String keyColumn() {
            return "key";
        }

        @Override
        String createTable(String name) {
            return "CREATE TABLE IF NOT EXISTS " + table(name) + " (\n"
                    + "  id VARCHAR(255) PRIMARY KEY,\n"
                    + "  key VARCHAR(255) UNIQUE NOT NULL,\n"
                    + "  secret VARCHAR(255) NOT NULL,\n"
                    + "  max_connections INTEGER NOT NULL DEFAULT 0,\n"
                    + "  enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,\n"
                    + "  enabled BOOLEAN NOT NULL DEFAULT TRUE,\n"
                    + "  max_backend_events_per_second INTEGER,\n"
                    + "  max_client_events_per_second INTEGER NOT NULL DEFAULT 0,\n"
                    + "  max_read_requests_per_second INTEGER,\n"
                    + "  max_presence_members_per_channel INTEGER,\n"
                    + "  max_presence_member_size_in_kb INTEGER,\n"
                    + "  max_channel_name_length INTEGER,\n"
                    + "  max_event_channels_at_once INTEGER,\n"
                    + "  max_event_name_length INTEGER,\n"
                    + "  max_event_payload_in_kb INTEGER,\n"
                    + "  max_event_batch_size INTEGER,\n"
                    + "  enable_user_authentication BOOLEAN,\n"
                    + "  enable_watchlist_events BOOLEAN,\n"
                    + "  enable_subscription_count_event BOOLEAN,\n"
                    + "  policy JSONB,\n"
                    + "  webhooks JSONB,\n"
                    + "  allowed_origins JSONB,\n"
                    + "  channel_delta_compression JSONB,\n"
                    + "  idempotency JSONB,\n"
                    + "  connection_recovery JSONB,\n"
                    + "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
                    + "  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP\n"
                    + ")";
        }
    };

    private final String driver;

    SqlDialect(String driver) {
        this.driver = driver;
    }

    /** {@code app_manager.driver} as Herald names it. */
    public String driver() {
        return driver;
    }

    abstract String jdbcUrl(String host, int port, String database);

    /** Connect and read timeouts, in the driver's own property names and units. */
    abstract Map<String, String> driverProperties();

    /** The table as written in a query. */
    abstract String table(String name);

    abstract String keyColumn();

    /** Creates the apps table when it is missing; leaves an existing one as it is. */
    abstract String createTable(String name);
}
