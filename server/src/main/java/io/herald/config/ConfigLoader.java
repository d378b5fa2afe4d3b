package io.herald.config;

import static java.util.Map.entry;

import io.herald.app.App;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the sealed {@link HeraldConfig} the way Sockudo does: built-in defaults, then
 * {@code config/config.json} (if present), then the {@code --config} file, then environment
 * variables (each set variable wins). Operator mistakes end in a {@link ConfigException} naming the
 * key or variable; unknown keys are logged and ignored.
 */
public final class ConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    static final String DEFAULT_FILE = "config/config.json";

    private static final List<String> ADAPTERS_AVAILABLE = List.of("local", "redis", "redis-cluster", "nats");
    private static final List<String> ADAPTERS_KNOWN = List.of("local", "redis", "redis-cluster", "nats");
    private static final List<String> APP_MANAGERS_AVAILABLE = List.of("memory", "array", "mysql", "postgres", "pgsql",
            "postgresql");
    private static final List<String> APP_MANAGERS_KNOWN = APP_MANAGERS_AVAILABLE;
    private static final List<String> CACHES_AVAILABLE = List.of("memory", "redis", "redis-cluster", "none");
    private static final List<String> CACHES_KNOWN = CACHES_AVAILABLE;
    private static final List<String> RATE_LIMITERS_AVAILABLE = List.of("memory", "redis", "redis-cluster");
    private static final List<String> RATE_LIMITERS_KNOWN = RATE_LIMITERS_AVAILABLE;
    private static final List<String> QUEUES_AVAILABLE = List.of("memory", "redis", "redis-cluster", "none");
    /** Sockudo's queue drivers; those beyond {@link #QUEUES_AVAILABLE} are refused by name. */
    private static final List<String> QUEUES_KNOWN = List.of("memory", "redis", "redis-cluster", "none", "nats",
            "pulsar", "rabbitmq", "google-pubsub", "kafka", "iggy", "sqs", "sns");

    private static final Object ANY = ConfigTree.ANY;
    private static final Map<String, Object> SQL_DATABASE_KEYS = Map.of("host", ANY, "port", ANY, "username", ANY,
            "password", ANY, "database", ANY, "table_name", ANY, "connection_pool_size", ANY);

    /**
     * Every key this build knows. Sections marked ANY are read elsewhere or will be by later work
     * (drivers not built yet): their contents are accepted without warnings.
     */
    private static final Map<String, Object> SCHEMA = Map.ofEntries(
            entry("debug", ANY), entry("host", ANY), entry("port", ANY),
            entry("activity_timeout", ANY), entry("pong_timeout", ANY), entry("shutdown_grace_period", ANY),
            entry("user_authentication_timeout", ANY), entry("websocket_max_payload_kb", ANY),
            entry("http_max_body_kb", ANY), entry("max_channels_per_connection", ANY),
            entry("http_request_timeout", ANY), entry("http_idle_timeout", ANY),
            entry("instance", Map.of("process_id", ANY)),
            entry("adapter", Map.of("driver", ANY, "redis", ANY, "cluster", ANY, "nats", ANY)),
            entry("app_manager", Map.of("driver", ANY, "array", Map.of("apps", ANY),
                    "cache", Map.of("enabled", ANY, "ttl", ANY))),
            entry("cache", Map.of("driver", ANY,
                    "memory", Map.of("ttl", ANY, "cleanup_interval", ANY, "max_capacity", ANY),
                    "redis", Map.of("prefix", ANY, "url_override", ANY, "cluster_mode", ANY),
                    "redis_cluster", Map.of("nodes", ANY, "prefix", ANY))),
            entry("ssl", Map.of("enabled", ANY, "cert_path", ANY, "key_path", ANY, "redirect_http", ANY,
                    "http_port", ANY, "passphrase", ANY, "ca_path", ANY)),
            entry("cors", Map.of("origin", ANY, "methods", ANY, "allowed_headers", ANY, "credentials", ANY)),
            entry("rate_limiter", Map.of("enabled", ANY, "driver", ANY, "api_rate_limit", ANY,
                    "websocket_rate_limit", ANY, "redis", Map.of("prefix", ANY, "url_override", ANY, "cluster_mode", ANY),
                    "redis_cluster", Map.of("nodes", ANY, "prefix", ANY), "trust_forwarded_for", ANY)),
            entry("queue", Map.of("driver", ANY,
                    "redis", Map.of("concurrency", ANY, "prefix", ANY, "url_override", ANY, "cluster_mode", ANY,
                            "response_timeout_ms", ANY),
                    "redis_cluster", Map.of("concurrency", ANY, "prefix", ANY, "nodes", ANY, "request_timeout_ms", ANY),
                    "lease_seconds", ANY, "max_jobs", ANY, "reliability", ANY)),
            entry("webhooks", Map.of("batching", Map.of("enabled", ANY, "duration", ANY, "size", ANY),
                    "request_timeout_ms", ANY, "retry_window_seconds", ANY)),
            entry("logging", Map.of("format", ANY, "colors_enabled", ANY, "include_target", ANY)),
            entry("database", Map.of("mysql", SQL_DATABASE_KEYS, "postgres", SQL_DATABASE_KEYS, "redis", ANY)),
            entry("metrics", Map.of("enabled", ANY, "driver", ANY, "host", ANY, "port", ANY,
                    "prometheus", Map.of("prefix", ANY))),
            entry("health_check", Map.of("enabled", ANY, "interval", ANY, "timeout", ANY)));

    /** Values of {@code logging.format}: logback.xml's text lines, or one JSON object per line. */
    public static final List<String> LOG_FORMATS = List.of("text", "json");

    private ConfigLoader() {}

    /**
     * @param explicitFileOrNull the {@code --config} file, or null
     * @param env the environment (usually {@code System.getenv()}); empty values count as unset
     * @param workingDir where {@code config/config.json} is looked for
     */
    public static HeraldConfig load(Path explicitFileOrNull, Map<String, String> env, Path workingDir) {
        Map<String, String> vars = setVariables(env);
        ConfigTree tree = new ConfigTree(vars);
        for (Path file : files(explicitFileOrNull, workingDir)) {
            tree.merge(ConfigFiles.read(file, vars), file);
            LOG.info("Loaded configuration from {}", file);
        }
        tree.warnUnknownKeys(SCHEMA);

        String adapterDriver = driver(tree, "adapter.driver", "ADAPTER_DRIVER", "local", ADAPTERS_KNOWN, ADAPTERS_AVAILABLE);

        return new HeraldConfig(
                tree.bool("debug", "DEBUG", false),
                tree.string("host", "HOST", HeraldConfig.DEFAULT_HOST),
                tree.integer("port", "PORT", HeraldConfig.DEFAULT_PORT, 0, 65535),
                tree.integer("activity_timeout", "ACTIVITY_TIMEOUT", 120, 1, Integer.MAX_VALUE),
                tree.integer("pong_timeout", "PONG_TIMEOUT", 30, 1, Integer.MAX_VALUE),
                tree.integer("shutdown_grace_period", "SHUTDOWN_GRACE_PERIOD", 10, 0, Integer.MAX_VALUE),
                tree.integer("user_authentication_timeout", "USER_AUTHENTICATION_TIMEOUT", 3600, 1, Integer.MAX_VALUE),
                tree.integer("websocket_max_payload_kb", "WEBSOCKET_MAX_PAYLOAD_KB", 64, 1, 16384),
                tree.integer("http_max_body_kb", "HTTP_MAX_BODY_KB", 2048, 1, 65536),
                tree.integer("max_channels_per_connection", "MAX_CHANNELS_PER_CONNECTION",
                        HeraldConfig.DEFAULT_MAX_CHANNELS_PER_CONNECTION, 1, 1_000_000),
                tree.integer("http_request_timeout", "HTTP_REQUEST_TIMEOUT",
                        HeraldConfig.DEFAULT_HTTP_REQUEST_TIMEOUT_SECONDS, 1, 3600),
                tree.integer("http_idle_timeout", "HTTP_IDLE_TIMEOUT", HeraldConfig.DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS, 1, 3600),
                tree.string("instance.process_id", "INSTANCE_PROCESS_ID", UUID.randomUUID().toString()),
                adapter(tree, adapterDriver),
                appManager(tree, vars),
                cache(tree),
                ssl(tree),
                cors(tree),
                rateLimiter(tree),
                queue(tree),
                webhooks(tree),
                metrics(tree),
                healthCheck(tree),
                trustedCa(tree, "database.redis.master_tls.ca_path", "DATABASE_REDIS_MASTER_TLS_CA_PATH"));
    }

    /**
     * A PEM file of certificate authorities for TLS to a backend (Sockudo's
     * {@code database.redis.master_tls.ca_path}, Herald's {@code adapter.nats.tls_ca_path}); read
     * now, so that a wrong path stops start-up naming the key. Null when not set.
     */
    private static String trustedCa(ConfigTree tree, String key, String envVar) {
        String path = tree.string(key, envVar, null);
        if (path == null) {
            return null;
        }
        try {
            TrustedCertificates.read(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw invalidHere(tree, key, envVar, new ConfigException(tree.nameOf(key, envVar) + ": cannot read "
                    + "certificate authorities from " + path + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage())));
        }
        return path;
    }

    /**
     * {@code logging.format}, or {@code LOG_FORMAT} (or Sockudo's {@code LOG_OUTPUT_FORMAT}): one of
     * {@link #LOG_FORMATS}, "text" by default. Read apart from {@link #load}, before it, so that the
     * first log line of start-up is already in that format: this logs nothing, and a file that
     * cannot be read or parsed counts as absent here ({@link #load} then reports it).
     *
     * @throws ConfigException for any other value, naming the key or variable
     */
    public static String logFormat(Path explicitFileOrNull, Map<String, String> env, Path workingDir) {
        Map<String, String> vars = setVariables(env);
        ConfigTree tree = new ConfigTree(vars);
        try {
            for (Path file : files(explicitFileOrNull, workingDir)) {
                tree.merge(ConfigFiles.read(file, vars), file);
            }
        } catch (ConfigException unreadable) {
            tree = new ConfigTree(vars);
        }
        String envVar = tree.env("LOG_FORMAT") != null ? "LOG_FORMAT" : "LOG_OUTPUT_FORMAT";
        return driver(tree, "logging.format", envVar, "text", LOG_FORMATS, LOG_FORMATS);
    }

    /** The environment without its empty variables (an empty variable counts as unset). */
    private static Map<String, String> setVariables(Map<String, String> env) {
        Map<String, String> vars = new HashMap<>();
        (env == null ? Map.<String, String>of() : env).forEach((name, value) -> {
            if (value != null && !value.isEmpty()) {
                vars.put(name, value);
            }
        });
        return vars;
    }

    /** The config files in load order: {@code config/config.json} of the working dir if present, then the explicit one. */
    private static List<Path> files(Path explicitFileOrNull, Path workingDir) {
        List<Path> files = new ArrayList<>();
        Path defaultFile = (workingDir == null ? Path.of("") : workingDir).resolve(DEFAULT_FILE);
        if (Files.exists(defaultFile) && !sameFile(defaultFile, explicitFileOrNull)) {
            files.add(defaultFile);
        }
        if (explicitFileOrNull != null) {
            files.add(explicitFileOrNull);
        }
        return files;
    }

    /**
     * {@code queue.*}: the chosen driver's block ({@code queue.redis} or {@code queue.redis_cluster}),
     * with Sockudo's defaults and variables. {@code queue.redis.cluster_mode} makes the redis
     * driver's URL a seed of a Redis Cluster.
     */
    private static HeraldConfig.QueueConfig queue(ConfigTree tree) {
        String driver = driver(tree, "queue.driver", "QUEUE_DRIVER", "memory", QUEUES_KNOWN, QUEUES_AVAILABLE);
        if (tree.node("queue.reliability") != null) {
            LOG.warn("queue.reliability is not used by Herald: every webhook is retried with backoff for"
                    + " webhooks.retry_window_seconds, and queue.max_jobs bounds the queue");
        }
        HeraldConfig.QueueConfig defaults = HeraldConfig.QueueConfig.memory();
        String url = redisUrl(tree, "queue.redis.url_override");
        boolean clusterMode = driver.equals("redis") && tree.bool("queue.redis.cluster_mode", null, false);
        boolean clusterBlock = driver.equals("redis-cluster");
        String block = clusterBlock ? "queue.redis_cluster" : "queue.redis";
        return new HeraldConfig.QueueConfig(clusterMode ? "redis-cluster" : driver,
                tree.integer(block + ".concurrency", clusterBlock ? "REDIS_CLUSTER_QUEUE_CONCURRENCY" : "QUEUE_REDIS_CONCURRENCY",
                        defaults.concurrency(), 1, 1000),
                url,
                clusterMode ? List.of(url) : clusterNodes(tree, "queue.redis_cluster.nodes"),
                tree.string(block + ".prefix", clusterBlock ? "REDIS_CLUSTER_QUEUE_PREFIX" : "QUEUE_REDIS_PREFIX", defaults.prefix()),
                tree.integer(clusterBlock ? "queue.redis_cluster.request_timeout_ms" : "queue.redis.response_timeout_ms",
                        clusterBlock ? "REDIS_CLUSTER_QUEUE_REQUEST_TIMEOUT_MS" : "QUEUE_REDIS_RESPONSE_TIMEOUT_MS",
                        defaults.commandTimeoutMillis(), 1, 600_000),
                tree.integer("queue.lease_seconds", null, defaults.leaseSeconds(), 1, 86_400),
                tree.integer("queue.max_jobs", null, defaults.maxJobs(), 1, 100_000_000));
    }

    /**
     * Redis Cluster seed nodes of a part: its own list, else {@code REDIS_CLUSTER_NODES} (or
     * {@code DATABASE_REDIS_CLUSTER_NODES}), else the adapter's {@code adapter.cluster.nodes}.
     */
    private static List<String> clusterNodes(ConfigTree tree, String ownKey) {
        List<String> own = tree.stringList(ownKey, null, List.of());
        if (!own.isEmpty()) {
            return own;
        }
        String sharedVar = tree.env("REDIS_CLUSTER_NODES") != null ? "REDIS_CLUSTER_NODES" : "DATABASE_REDIS_CLUSTER_NODES";
        return tree.stringList("adapter.cluster.nodes", sharedVar, List.of("redis://127.0.0.1:7000"));
    }

    /** {@code metrics.*}: Prometheus only (Sockudo's one driver); on by default, as in Sockudo. */
    private static HeraldConfig.MetricsConfig metrics(ConfigTree tree) {
        HeraldConfig.MetricsConfig off = HeraldConfig.MetricsConfig.off();
        driver(tree, "metrics.driver", "METRICS_DRIVER", "prometheus", List.of("prometheus"), List.of("prometheus"));
        String prefix = tree.optionalString("metrics.prometheus.prefix", "METRICS_PROMETHEUS_PREFIX");
        if (prefix == null) {
            prefix = off.prefix();
        } else if (!prefix.matches("[a-zA-Z_:][a-zA-Z0-9_:]*|")) {
            String key = "metrics.prometheus.prefix";
            throw invalidHere(tree, key, "METRICS_PROMETHEUS_PREFIX", ConfigException.expected(
                    tree.nameOf(key, "METRICS_PROMETHEUS_PREFIX"), "letters, digits, '_' and ':', not starting with a digit",
                    JsonValues.quote(prefix)));
        }
        return new HeraldConfig.MetricsConfig(
                tree.bool("metrics.enabled", "METRICS_ENABLED", true),
                tree.string("metrics.host", "METRICS_HOST", off.host()),
                tree.integer("metrics.port", "METRICS_PORT", off.port(), 0, 65535),
                prefix);
    }

    /** {@code health_check.*} (seconds), as the scaling guide prints it. */
    private static HeraldConfig.HealthCheckConfig healthCheck(ConfigTree tree) {
        HeraldConfig.HealthCheckConfig defaults = HeraldConfig.HealthCheckConfig.defaults();
        return new HeraldConfig.HealthCheckConfig(
                tree.bool("health_check.enabled", "HEALTH_CHECK_ENABLED", defaults.enabled()),
                tree.integer("health_check.interval", "HEALTH_CHECK_INTERVAL", defaults.intervalSeconds(), 1, 86_400),
                tree.integer("health_check.timeout", "HEALTH_CHECK_TIMEOUT", defaults.timeoutSeconds(), 1, 3600));
    }

    private static HeraldConfig.WebhooksConfig webhooks(ConfigTree tree) {
        HeraldConfig.WebhooksConfig defaults = HeraldConfig.WebhooksConfig.defaults();
        return new HeraldConfig.WebhooksConfig(
                tree.bool("webhooks.batching.enabled", "WEBHOOK_BATCHING_ENABLED", defaults.batching()),
                tree.integer("webhooks.batching.duration", "WEBHOOK_BATCHING_DURATION", defaults.batchingDurationMillis(), 1, 60_000),
                tree.integer("webhooks.batching.size", "WEBHOOK_BATCHING_SIZE", defaults.batchingSize(), 1, 10_000),
                tree.integer("webhooks.request_timeout_ms", null, defaults.requestTimeoutMillis(), 1, 600_000),
                tree.integer("webhooks.retry_window_seconds", null, defaults.retryWindowSeconds(), 1, 86_400));
    }

    /** The chosen driver's block of {@code adapter.*}, with Sockudo's defaults and variables. */
    private static HeraldConfig.AdapterConfig adapter(ConfigTree tree, String driver) {
        return switch (driver) {
            case "redis" -> {
                String publish = redisUrl(tree, "adapter.redis.redis_pub_options.url");
                String subscribe = redisUrl(tree, "adapter.redis.redis_sub_options.url");
                String prefix = tree.string("adapter.redis.prefix", null, "sockudo_adapter:");
                int timeout = tree.integer("adapter.redis.requests_timeout", null, 5000, 1, 600_000);
                // cluster_mode: the same URLs are seeds of a Redis Cluster.
                yield tree.bool("adapter.redis.cluster_mode", null, false)
                        ? new HeraldConfig.AdapterConfig.RedisCluster(List.of(publish, subscribe).stream().distinct().toList(),
                                prefix, timeout)
                        : new HeraldConfig.AdapterConfig.Redis(publish, subscribe, prefix, timeout);
            }
            case "redis-cluster" -> new HeraldConfig.AdapterConfig.RedisCluster(
                    tree.stringList("adapter.cluster.nodes", "REDIS_CLUSTER_NODES", List.of("redis://127.0.0.1:7000")),
                    tree.string("adapter.cluster.prefix", null, "sockudo_cluster:"),
                    tree.integer("adapter.cluster.request_timeout_ms", null, 5000, 1, 600_000));
            case "nats" -> {
                List<String> servers = tree.stringList("adapter.nats.servers", "NATS_SERVERS", List.of("nats://127.0.0.1:4222"));
                String single = tree.env("NATS_URL");
                if (single != null && tree.env("NATS_SERVERS") == null && !single.isBlank()) {
                    servers = List.of(single.trim());
                }
                yield new HeraldConfig.AdapterConfig.Nats(servers,
                        tree.string("adapter.nats.prefix", "NATS_PREFIX", "sockudo_nats:"),
                        tree.integer("adapter.nats.request_timeout_ms", "NATS_REQUEST_TIMEOUT_MS", 5000, 1, 600_000),
                        tree.integer("adapter.nats.connection_timeout_ms", null, 5000, 1, 600_000),
                        tree.string("adapter.nats.username", "NATS_USERNAME", null),
                        tree.string("adapter.nats.password", "NATS_PASSWORD", null),
                        tree.string("adapter.nats.token", "NATS_TOKEN", null),
                        trustedCa(tree, "adapter.nats.tls_ca_path", "NATS_TLS_CA_PATH"));
            }
            default -> new HeraldConfig.AdapterConfig.Local();
        };
    }

    /**
     * {@code app_manager.*}: the configured apps (memory), or a table in MySQL or PostgreSQL
     * ({@code database.mysql} / {@code database.postgres}) read through {@code app_manager.cache}.
     */
    private static HeraldConfig.AppManagerConfig appManager(ConfigTree tree, Map<String, String> vars) {
        String driver = driver(tree, "app_manager.driver", "APP_MANAGER_DRIVER", "memory", APP_MANAGERS_KNOWN,
                APP_MANAGERS_AVAILABLE);
        HeraldConfig.AppCache cache = new HeraldConfig.AppCache(tree.bool("app_manager.cache.enabled", null, true),
                tree.integer("app_manager.cache.ttl", null, 300, 1, Integer.MAX_VALUE));
        return switch (driver) {
            case "mysql" -> new HeraldConfig.AppManagerConfig.Mysql(sqlDatabase(tree, "mysql", 3306, "root"), cache);
            case "postgres", "pgsql", "postgresql" ->
                    new HeraldConfig.AppManagerConfig.Postgres(sqlDatabase(tree, "postgres", 5432, "postgres"), cache);
            default -> new HeraldConfig.AppManagerConfig.Memory(apps(tree, vars));
        };
    }

    /** {@code database.mysql} or {@code database.postgres}, and their {@code DATABASE_MYSQL_*} / {@code DATABASE_POSTGRES_*} variables. */
    private static HeraldConfig.SqlDatabase sqlDatabase(ConfigTree tree, String name, int defaultPort, String defaultUser) {
        String key = "database." + name + ".";
        String var = "DATABASE_" + name.toUpperCase(Locale.ROOT) + "_";
        if (tree.node("app_manager.array.apps") != null) {
            LOG.warn("app_manager.array.apps is not used: app_manager.driver is {}, so apps come from the database", name);
        }
        return new HeraldConfig.SqlDatabase(
                tree.string(key + "host", var + "HOST", "localhost"),
                tree.integer(key + "port", var + "PORT", defaultPort, 1, 65535),
                tree.string(key + "username", var + "USERNAME", defaultUser),
                tree.optionalString(key + "password", var + "PASSWORD"),
                tree.string(key + "database", var + "DATABASE", "sockudo"),
                tableName(tree, key + "table_name", var + "TABLE_NAME"),
                tree.integer(key + "connection_pool_size", var + "CONNECTION_POOL_SIZE", 10, 1, 1000));
    }

    /** A table name is put into SQL text, so only a plain identifier is accepted. */
    private static String tableName(ConfigTree tree, String key, String envVar) {
        String table = tree.string(key, envVar, "applications");
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
            throw invalidHere(tree, key, envVar, ConfigException.expected(tree.nameOf(key, envVar),
                    "a table name of letters, digits and underscores", JsonValues.quote(table)));
        }
        return table;
    }

    /** {@code cache.*}: the chosen driver and its block. */
    private static HeraldConfig.CacheConfig cache(ConfigTree tree) {
        String driver = driver(tree, "cache.driver", "CACHE_DRIVER", "memory", CACHES_KNOWN, CACHES_AVAILABLE);
        int ttl = tree.integer("cache.memory.ttl", null, 300, 1, Integer.MAX_VALUE);
        String prefix = tree.string(driver.equals("redis-cluster") ? "cache.redis_cluster.prefix" : "cache.redis.prefix",
                null, "sockudo_cache:");
        return switch (driver) {
            case "redis", "redis-cluster" -> new HeraldConfig.CacheConfig.Redis(
                    redisEndpoint(tree, driver, "cache.redis", "cache.redis_cluster.nodes"), prefix, ttl);
            case "none" -> new HeraldConfig.CacheConfig.None();
            default -> new HeraldConfig.CacheConfig.Memory(ttl,
                    tree.integer("cache.memory.max_capacity", null, 10_000, 1, Integer.MAX_VALUE));
        };
    }

    /**
     * The Redis of a part whose driver is {@code redis} (its {@code block.url_override}, or the
     * shared Redis; {@code block.cluster_mode} makes that URL a seed of a Redis Cluster) or
     * {@code redis-cluster} (its own nodes, else the shared cluster nodes).
     */
    private static HeraldConfig.RedisEndpoint redisEndpoint(ConfigTree tree, String driver, String block, String ownNodesKey) {
        if (driver.equals("redis-cluster")) {
            return new HeraldConfig.RedisEndpoint.Cluster(clusterNodes(tree, ownNodesKey));
        }
        String url = redisUrl(tree, block + ".url_override");
        return tree.bool(block + ".cluster_mode", null, false)
                ? new HeraldConfig.RedisEndpoint.Cluster(List.of(url))
                : new HeraldConfig.RedisEndpoint.Standalone(url);
    }

    private static HeraldConfig.SslConfig ssl(ConfigTree tree) {
        boolean enabled = tree.bool("ssl.enabled", "SSL_ENABLED", false);
        String cert = tree.string("ssl.cert_path", "SSL_CERT_PATH", null);
        String key = tree.string("ssl.key_path", "SSL_KEY_PATH", null);
        if (enabled) {
            requireReadable(tree, "ssl.cert_path", "SSL_CERT_PATH", cert);
            requireReadable(tree, "ssl.key_path", "SSL_KEY_PATH", key);
        }
        return new HeraldConfig.SslConfig(enabled, cert, key, tree.bool("ssl.redirect_http", null, false),
                tree.integer("ssl.http_port", null, 80, 1, 65535));
    }

    private static void requireReadable(ConfigTree tree, String key, String envVar, String path) {
        if (path == null) {
            throw new ConfigException(tree.nameOf(key, envVar) + ": required when ssl.enabled is true (a PEM file)");
        }
        if (!Files.isReadable(Path.of(path))) {
            throw invalidHere(tree, key, envVar, new ConfigException(tree.nameOf(key, envVar) + ": cannot read " + path));
        }
    }

    private static HeraldConfig.CorsConfig cors(ConfigTree tree) {
        HeraldConfig.CorsConfig defaults = HeraldConfig.CorsConfig.defaults();
        return new HeraldConfig.CorsConfig(
                tree.stringList("cors.origin", null, defaults.origins()),
                tree.stringList("cors.methods", null, defaults.methods()),
                tree.stringList("cors.allowed_headers", null, defaults.allowedHeaders()),
                tree.bool("cors.credentials", null, defaults.credentials()));
    }

    private static HeraldConfig.RateLimiterConfig rateLimiter(ConfigTree tree) {
        HeraldConfig.RateLimiterConfig off = HeraldConfig.RateLimiterConfig.off();
        String driver = driver(tree, "rate_limiter.driver", "RATE_LIMITER_DRIVER", "memory", RATE_LIMITERS_KNOWN,
                RATE_LIMITERS_AVAILABLE);
        HeraldConfig.RateLimiterBackend backend = driver.equals("memory") ? new HeraldConfig.RateLimiterBackend.Memory()
                : new HeraldConfig.RateLimiterBackend.Redis(
                        redisEndpoint(tree, driver, "rate_limiter.redis", "rate_limiter.redis_cluster.nodes"),
                        tree.string(driver.equals("redis-cluster") ? "rate_limiter.redis_cluster.prefix" : "rate_limiter.redis.prefix",
                                null, "sockudo_rl:"));
        return new HeraldConfig.RateLimiterConfig(
                tree.bool("rate_limiter.enabled", "RATE_LIMITER_ENABLED", off.enabled()),
                backend,
                tree.integer("rate_limiter.api_rate_limit.max_requests", null, off.apiMaxRequests(), 1, Integer.MAX_VALUE),
                tree.integer("rate_limiter.api_rate_limit.window_seconds", null, off.apiWindowSeconds(), 1, Integer.MAX_VALUE),
                tree.integer("rate_limiter.websocket_rate_limit.max_requests", null, off.websocketMaxRequests(), 1, Integer.MAX_VALUE),
                tree.integer("rate_limiter.websocket_rate_limit.window_seconds", null, off.websocketWindowSeconds(), 1, Integer.MAX_VALUE),
                tree.bool("rate_limiter.trust_forwarded_for", null, off.trustForwardedFor()));
    }

    /**
     * The Redis a redis-backed part uses: its own {@code url_override}, else {@code REDIS_URL}, else
     * {@code database.redis} ({@code url_override}, or host/port/password/db), else the local default.
     */
    static String redisUrl(ConfigTree tree, String ownUrlKey) {
        String own = tree.string(ownUrlKey, null, null);
        if (own != null) {
            return own;
        }
        String shared = tree.string("database.redis.url_override", "REDIS_URL", null);
        if (shared != null) {
            return shared;
        }
        String host = tree.string("database.redis.host", null, "127.0.0.1");
        int port = tree.integer("database.redis.port", null, 6379, 1, 65535);
        String password = tree.string("database.redis.password", null, null);
        int db = tree.integer("database.redis.db", null, 0, 0, Integer.MAX_VALUE);
        // The password is percent-encoded: '@', '#', '/' or ':' in it must not change where the URL points.
        String credentials = password == null ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20") + "@";
        return "redis://" + credentials + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + db;
    }

    /** The effective driver name, lower-cased; known-but-unbuilt and unknown names fail differently. */
    private static String driver(ConfigTree tree, String key, String envVar, String fallback,
                                 List<String> known, List<String> available) {
        String driver = tree.string(key, envVar, fallback).toLowerCase(Locale.ROOT);
        String name = tree.nameOf(key, envVar);
        if (!known.contains(driver)) {
            throw invalidHere(tree, key, envVar, ConfigException.expected(name, "one of " + String.join(", ", known),
                    JsonValues.quote(driver)));
        }
        if (!available.contains(driver)) {
            throw invalidHere(tree, key, envVar, new ConfigException(name + ": " + JsonValues.quote(driver)
                    + " is not available in this build yet (available: " + String.join(", ", available) + ")"));
        }
        return driver;
    }

    /** Adds the file to a message about a value that came from a file rather than the environment. */
    private static ConfigException invalidHere(ConfigTree tree, String key, String envVar, ConfigException e) {
        return tree.env(envVar) != null ? e : e.in(tree.sourceOf(key));
    }

    /**
     * The memory driver's apps: {@code app_manager.array.apps}, plus the default app from
     * {@code SOCKUDO_DEFAULT_APP_*} when any of those is set or no app is configured at all. The
     * default app replaces a configured app with the same id.
     */
    private static List<App> apps(ConfigTree tree, Map<String, String> vars) {
        String key = "app_manager.array.apps";
        List<App> apps;
        try {
            apps = new ArrayList<>(AppRecordParser.parseList(tree.node(key), key));
        } catch (ConfigException e) {
            throw e.in(tree.sourceOf(key));
        }
        DefaultAppEnv defaults = new DefaultAppEnv(vars);
        if (!defaults.anySet() && !apps.isEmpty()) {
            return apps;
        }
        App app = defaults.build();
        if (!defaults.anySet()) {
            LOG.warn("No apps configured: using the default app (id '{}', key '{}', secret '{}'); configure {} or {}*"
                    + " before exposing this server", app.id(), app.key(), app.secret(), key, DefaultAppEnv.PREFIX);
        }
        for (int i = 0; i < apps.size(); i++) {
            App configured = apps.get(i);
            if (configured.id().equals(app.id())) {
                LOG.info("The default app from {}* replaces {}[{}] (id '{}')", DefaultAppEnv.PREFIX, key, i, app.id());
            } else if (configured.key().equals(app.key())) {
                throw new ConfigException(DefaultAppEnv.PREFIX + "KEY: duplicate app key " + JsonValues.quote(app.key())
                        + " for the default app (id " + JsonValues.quote(app.id()) + "), already used by " + key + "[" + i
                        + "] (id " + JsonValues.quote(configured.id()) + ")");
            }
        }
        apps.removeIf(configured -> configured.id().equals(app.id()));
        apps.add(app);
        return apps;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return b != null && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
