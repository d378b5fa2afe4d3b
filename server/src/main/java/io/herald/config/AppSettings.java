package io.herald.config;

import io.herald.app.App;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code app_manager.*}: the configured apps (memory driver, with the default app of
 * {@code SOCKUDO_DEFAULT_APP_*}), or a table in MySQL or PostgreSQL ({@code database.mysql} /
 * {@code database.postgres}) read through {@code app_manager.cache}.
 */
final class AppSettings {

    static final List<String> DRIVERS = List.of("memory", "array", "mysql", "postgres", "pgsql", "postgresql");
    static final List<String> SOCKUDO_DRIVERS = List.of("memory", "array", "mysql", "postgres", "pgsql", "postgresql",
            "dynamodb", "surrealdb", "surreal", "scylladb", "scylla");
    private static final String APPS = "app_manager.array.apps";

    private AppSettings() {}

    static HeraldConfig.AppManagerConfig read(ConfigTree tree, Map<String, String> vars) {
        String driver = tree.driver("app_manager.driver", "APP_MANAGER_DRIVER", "memory", SOCKUDO_DRIVERS, DRIVERS);
        HeraldConfig.AppCache cache = new HeraldConfig.AppCache(tree.bool("app_manager.cache.enabled", null, true),
                tree.integer("app_manager.cache.ttl", "CACHE_TTL_SECONDS", 300, 1, Integer.MAX_VALUE));
        return switch (driver) {
            case "mysql" -> new HeraldConfig.AppManagerConfig.Mysql(database(tree, vars, "mysql", 3306, "root"), cache);
            case "postgres", "pgsql", "postgresql" ->
                    new HeraldConfig.AppManagerConfig.Postgres(database(tree, vars, "postgres", 5432, "postgres"), cache);
            default -> new HeraldConfig.AppManagerConfig.Memory(apps(tree, vars));
        };
    }

    /**
     * {@code database.mysql} or {@code database.postgres} and their {@code DATABASE_MYSQL_*} /
     * {@code DATABASE_POSTGRES_*} variables. PostgreSQL's port and user default to PostgreSQL's
     * own, where Sockudo gives it MySQL's (3306, root).
     */
    private static HeraldConfig.SqlDatabase database(ConfigTree tree, Map<String, String> vars, String name, int defaultPort,
                                                     String defaultUser) {
        String key = "database." + name + ".";
        String var = "DATABASE_" + name.toUpperCase(Locale.ROOT) + "_";
        if (tree.node(APPS) != null) {
            tree.notes().warn(APPS + " is not used: app_manager.driver is " + name + ", so apps come from the database"
                    + " (Sockudo would write them into the table; Herald only reads it)");
        }
        List<String> defaultApp = new DefaultAppEnv(vars).setVariables();
        if (!defaultApp.isEmpty()) {
            tree.notes().warn(String.join(", ", defaultApp) + ": not used, app_manager.driver is " + name
                    + ", so apps come from the database (Herald only reads the table)");
        }
        if (name.equals("postgres") && !tree.isSet(key + "port", var + "PORT")) {
            tree.notes().info("database.postgres.port defaults to 5432 and .username to postgres (Sockudo: 3306 and root,"
                    + " MySQL's)");
        }
        return new HeraldConfig.SqlDatabase(
                tree.string(key + "host", var + "HOST", "localhost"),
                tree.integer(key + "port", var + "PORT", defaultPort, 1, 65535),
                tree.string(key + "username", var + "USERNAME", defaultUser),
                tree.optionalString(key + "password", var + "PASSWORD"),
                tree.string(key + "database", var + "DATABASE", "sockudo"),
                tableName(tree, key + "table_name", var + "TABLE_NAME"),
                tree.integer(key + "connection_pool_size", "DATABASE_CONNECTION_POOL_SIZE", 10, 1, 1000));
    }

    /** A table name is put into SQL text, so only a plain identifier is accepted. */
    private static String tableName(ConfigTree tree, String key, String envVar) {
        String table = tree.string(key, envVar, "applications");
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
            throw tree.invalidHere(key, envVar, ConfigException.expected(tree.nameOf(key, envVar),
                    "a table name of letters, digits and underscores", JsonValues.quote(table)));
        }
        return table;
    }

    /** The memory driver's apps: the files' list, then the {@code SOCKUDO_DEFAULT_APP_*} variables. */
    private static List<App> apps(ConfigTree tree, Map<String, String> vars) {
        List<App> configured;
        try {
            configured = AppRecordParser.parseList(tree.node(APPS), APPS, tree.notes());
        } catch (ConfigException e) {
            throw e.in(tree.sourceOf(APPS));
        }
        DefaultAppEnv defaultApp = new DefaultAppEnv(vars);
        var webhooks = defaultApp.webhooksJson();
        if (webhooks != null) {
            KeyCheck.check(webhooks, DefaultAppEnv.PREFIX + "WEBHOOKS", ConfigKeys.WEBHOOKS, ConfigKeys.ROOT, path -> null,
                    tree.notes());
        }
        return defaultApp.apps(configured, APPS, tree.notes());
    }
}
