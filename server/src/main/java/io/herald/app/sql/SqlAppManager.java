package io.herald.app.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig.SqlDatabase;
import io.herald.wire.Secrets;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apps in a MySQL/MariaDB or PostgreSQL table ({@code app_manager.driver} mysql or postgres),
 * read one at a time by id or key through a HikariCP pool. Queries run on a small pool of threads
 * of their own (as many as the connection pool), never on an event loop; at most
 * {@link #MAX_WAITING} lookups wait for them, more fail at once. A background probe every
 * {@link #PROBE_EVERY_SECONDS} s tells whether the database answers; while it does not (or since a
 * query failed), lookups fail at once instead of each waiting for a connection timeout, until the
 * probe reaches it again. Wrap it in a {@link io.herald.app.CachingAppManager}: this class caches
 * nothing.
 */
public final class SqlAppManager implements AppManager {
    private static final Logger log = LoggerFactory.getLogger(SqlAppManager.class);
    private static final int MAX_WAITING = 1000;
    private static final int PROBE_EVERY_SECONDS = 2;
    private static final int PROBE_TIMEOUT_SECONDS = 2;
    private static final long CONNECT_TIMEOUT_MILLIS = 2000;

    private final SqlDialect dialect;
    private final SqlDatabase database;
    private final String where;
    private final HikariDataSource pool;
    private final ThreadPoolExecutor queries;
    private final ScheduledExecutorService prober;
    private final String byIdQuery;
    private final String byKeyQuery;
    private volatile boolean healthy = true;

    private SqlAppManager(SqlDialect dialect, SqlDatabase database, HikariDataSource pool) {
        this.dialect = dialect;
        this.database = database;
        this.where = database.username() + "@" + database.host() + ":" + database.port() + "/" + database.database();
        this.pool = pool;
        this.queries = new ThreadPoolExecutor(database.poolSize(), database.poolSize(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_WAITING), daemonThreads("herald-apps-db-"));
        queries.allowCoreThreadTimeOut(true);
        this.prober = Executors.newSingleThreadScheduledExecutor(daemonThreads("herald-apps-db-probe-"));
        String select = "SELECT * FROM " + dialect.table(database.tableName()) + " WHERE ";
        this.byIdQuery = select + "id = ?";
        this.byKeyQuery = select + dialect.keyColumn() + " = ?";
    }

    /**
     * Connects, creates the table when it is missing, and starts the probe. With {@code meters}
     * (null: none) the pool's usage is recorded there. An unreachable database
     * or a refused DDL stops start-up with one line naming the server (never the password).
     */
    public static SqlAppManager open(SqlDialect dialect, SqlDatabase database, MeterRegistry meters) {
        HikariConfig hikari = new HikariConfig();
        if (meters != null) {
            hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters)); // hikaricp_connections_*
        }
        hikari.setPoolName("herald-apps-" + dialect.driver());
        hikari.setJdbcUrl(dialect.jdbcUrl(database.host(), database.port(), database.database()));
        hikari.setUsername(database.username());
        hikari.setPassword(database.password());
        dialect.driverProperties().forEach(hikari::addDataSourceProperty);
        hikari.setMaximumPoolSize(database.poolSize());
        hikari.setMinimumIdle(Math.min(2, database.poolSize()));
        hikari.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        hikari.setValidationTimeout(PROBE_TIMEOUT_SECONDS * 1000L);
        hikari.setInitializationFailTimeout(CONNECT_TIMEOUT_MILLIS);
        String where = database.username() + "@" + database.host() + ":" + database.port() + "/" + database.database();
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new IllegalStateException("app_manager.driver " + dialect.driver() + ": cannot connect to " + where + ": "
                    + rootMessage(e, database.password()), e);
        }
        SqlAppManager manager = new SqlAppManager(dialect, database, pool);
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(dialect.createTable(database.tableName()));
        } catch (SQLException e) {
            manager.close();
            throw new IllegalStateException("app_manager.driver " + dialect.driver() + ": cannot create table "
                    + database.tableName() + " in " + where + ": " + rootMessage(e, database.password()), e);
        }
        manager.prober.scheduleWithFixedDelay(manager::probe, PROBE_EVERY_SECONDS, PROBE_EVERY_SECONDS, TimeUnit.SECONDS);
        return manager;
    }

    @Override
    public CompletableFuture<Optional<App>> findByKey(String key) {
        return query(byKeyQuery, key, true);
    }

    @Override
    public CompletableFuture<Optional<App>> findById(String id) {
        return query(byIdQuery, id, false);
    }

    private CompletableFuture<Optional<App>> query(String sql, String value, boolean byKey) {
        if (!healthy) {
            return CompletableFuture.failedFuture(new IllegalStateException(dialect.driver() + " " + where + " does not answer"));
        }
        CompletableFuture<Optional<App>> result = new CompletableFuture<>();
        try {
            queries.execute(() -> {
                try {
                    result.complete(read(sql, value, byKey));
                } catch (SQLException | RuntimeException e) {
                    result.completeExceptionally(new IllegalStateException(
                            dialect.driver() + " " + where + ": " + rootMessage(e, database.password()), e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException(MAX_WAITING + " app lookups already wait for "
                    + dialect.driver() + " " + where));
        }
        return result;
    }

    private Optional<App> read(String sql, String value, boolean byKey) throws SQLException {
        try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            try (ResultSet rows = statement.executeQuery()) {
                healthy = true;
                if (!rows.next()) {
                    return Optional.empty();
                }
                Map<String, Object> row = columns(rows);
                // MySQL's ascii_general_ci compares without case; Pusher keys and ids are exact.
                Object found = row.get(byKey ? "key" : "id");
                if (found == null || !value.equals(found.toString())) {
                    return Optional.empty();
                }
                return parse(row);
            }
        } catch (SQLException e) {
            healthy = false;
            throw e;
        }
    }

    /** A row that cannot be an app is skipped: a warning names it, and the lookup finds nothing. */
    private Optional<App> parse(Map<String, Object> row) {
        String name = database.tableName() + " row '" + row.get("id") + "'";
        try {
            return Optional.of(AppRows.parse(row, name));
        } catch (ConfigException e) {
            log.warn("apps: {} is skipped: {}", name, e.getMessage());
            return Optional.empty();
        }
    }

    private static Map<String, Object> columns(ResultSet rows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            Object value = rows.getObject(i);
            if (value != null && !(value instanceof Number) && !(value instanceof Boolean)) {
                value = rows.getString(i); // JSON, JSONB and text all as text
            }
            row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), value);
        }
        return row;
    }

    private void probe() {
        boolean answered;
        try (Connection connection = pool.getConnection()) {
            answered = connection.isValid(PROBE_TIMEOUT_SECONDS);
        } catch (SQLException | RuntimeException e) {
            answered = false;
        }
        if (answered != healthy) {
            if (answered) {
                log.info("apps: {} {} answers again", dialect.driver(), where);
            } else {
                log.warn("apps: {} {} does not answer; apps read before are served from memory", dialect.driver(), where);
            }
        }
        healthy = answered;
    }

    @Override
    public boolean probe(Duration timeout) {
        try (Connection connection = pool.getConnection()) {
            return connection.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public boolean isHealthy() {
        return healthy;
    }

    @Override
    public String describe() {
        return dialect.driver() + " " + where + " table " + database.tableName();
    }

    @Override
    public void close() {
        prober.shutdownNow();
        queries.shutdownNow();
        pool.close();
    }

    /** The innermost message of a failure, with the password (if it appears) masked. */
    private static String rootMessage(Throwable error, String password) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage() != null ? root.getMessage() : root.toString()).strip();
        return Secrets.mask(message, password == null ? Set.of() : Set.of(password));
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
