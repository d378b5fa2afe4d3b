package io.herald.config;

import io.herald.app.App;
import io.herald.wire.Secrets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole server configuration, validated and sealed. Built by {@link ConfigLoader} from
 * defaults, the JSON file(s) and the environment, in that order (Sockudo's keys and variables).
 */
public record HeraldConfig(
        boolean debug,
        String host,
        int port,
        int activityTimeoutSeconds,
        int pongTimeoutSeconds,
        int shutdownGracePeriodSeconds,
        int userAuthenticationTimeoutSeconds,
        int websocketMaxPayloadKb,
        int httpMaxBodyKb,
        int maxChannelsPerConnection,
        int httpRequestTimeoutSeconds,
        int httpIdleTimeoutSeconds,
        String processId,
        AdapterConfig adapter,
        AppManagerConfig appManager,
        CacheConfig cache,
        SslConfig ssl,
        CorsConfig cors,
        RateLimiterConfig rateLimiter,
        QueueConfig queue,
        WebhooksConfig webhooks,
        MetricsConfig metrics,
        HealthCheckConfig healthCheck,
        int maxConnections,
        boolean usageEnabled,
        String redisTlsCaPath,
        String ioTransport,
        boolean startupWarmUp) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 6001;
    /**
     * Channels one connection may be in. Real pages hold a handful; Pusher's own round limits are
     * 100 (channels per publish, presence members, watchlist ids). Without a cap one socket
     * subscribed to 100,000 channels in under two seconds.
     */
    public static final int DEFAULT_MAX_CHANNELS_PER_CONNECTION = 100;
    /**
     * Seconds a client has to send a whole HTTP request (the WebSocket upgrade included) and to
     * take its answer. Backends and browsers need well under a second; a slowloris client holding
     * sockets open with never-ending headers or a trickled body is cut after this.
     */
    public static final int DEFAULT_HTTP_REQUEST_TIMEOUT_SECONDS = 30;
    /** Seconds a kept-alive HTTP connection may wait for its next request (nginx keeps 75, Node 5). */
    public static final int DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS = 60;
    /** {@code io_transport}: native epoll on Linux, NIO elsewhere. */
    public static final String IO_TRANSPORT_AUTO = "auto";
    /** Values of {@code io_transport}. */
    public static final List<String> IO_TRANSPORTS = List.of(IO_TRANSPORT_AUTO, "epoll", "io_uring", "nio");

    /**
     * Without the node-wide connection cap ({@code max_connections}, 0 = none), with
     * {@code GET /usage} on, and without {@code redisTlsCaPath}
     * ({@code database.redis.master_tls.ca_path}: {@code rediss://} connections trust the JVM's
     * certificate authorities only), with the default transport and start-up warm-up (which
     * only {@code bin/herald} runs), as most configurations have them.
     */
    public HeraldConfig(boolean debug, String host, int port, int activityTimeoutSeconds, int pongTimeoutSeconds,
                        int shutdownGracePeriodSeconds, int userAuthenticationTimeoutSeconds, int websocketMaxPayloadKb,
                        int httpMaxBodyKb, int maxChannelsPerConnection, int httpRequestTimeoutSeconds,
                        int httpIdleTimeoutSeconds, String processId, AdapterConfig adapter, AppManagerConfig appManager,
                        CacheConfig cache, SslConfig ssl, CorsConfig cors, RateLimiterConfig rateLimiter, QueueConfig queue,
                        WebhooksConfig webhooks, MetricsConfig metrics, HealthCheckConfig healthCheck) {
        this(debug, host, port, activityTimeoutSeconds, pongTimeoutSeconds, shutdownGracePeriodSeconds,
                userAuthenticationTimeoutSeconds, websocketMaxPayloadKb, httpMaxBodyKb, maxChannelsPerConnection,
                httpRequestTimeoutSeconds, httpIdleTimeoutSeconds, processId, adapter, appManager, cache, ssl, cors, rateLimiter,
                queue, webhooks, metrics, healthCheck, 0, true, null, IO_TRANSPORT_AUTO, true);
    }

    /**
     * {@code adapter.*}: which cluster driver carries events between nodes, with that driver's
     * settings. {@code prefix} starts every channel or subject name, so several Herald clusters can
     * share one backend; {@code requestTimeoutMillis} bounds a cluster-wide query.
     */
    public sealed interface AdapterConfig {
        String driver();

        String prefix();

        int requestTimeoutMillis();

        /** One node on its own. */
        record Local() implements AdapterConfig {
            public String driver() {
                return "local";
            }

            public String prefix() {
                return "";
            }

            public int requestTimeoutMillis() {
                return 5000;
            }
        }

        /** Redis pub/sub; the publishing and the subscribing connection may use different URLs. */
        record Redis(String publishUrl, String subscribeUrl, String prefix, int requestTimeoutMillis) implements AdapterConfig {
            public String driver() {
                return "redis";
            }

            @Override
            public String toString() {
                return "Redis[" + Secrets.mask(publishUrl) + ", " + Secrets.mask(subscribeUrl)
                        + ", prefix=" + prefix + ", requestTimeoutMillis=" + requestTimeoutMillis + "]";
            }
        }

        /** Sharded pub/sub on a Redis Cluster found from any of {@code nodes}. */
        record RedisCluster(List<String> nodes, String prefix, int requestTimeoutMillis) implements AdapterConfig {
            public RedisCluster {
                nodes = List.copyOf(nodes);
            }

            public String driver() {
                return "redis-cluster";
            }

            @Override
            public String toString() {
                return "RedisCluster[" + Secrets.mask(String.join(",", nodes)) + ", prefix=" + prefix
                        + ", requestTimeoutMillis=" + requestTimeoutMillis + "]";
            }
        }

        /**
         * NATS core pub/sub on any of {@code servers}. {@code tlsCaPath} (PEM): the authorities
         * trusted for {@code tls://} servers besides the JVM's; null for the JVM's only.
         */
        record Nats(List<String> servers, String prefix, int requestTimeoutMillis, int connectionTimeoutMillis,
                    String username, String password, String token, String tlsCaPath) implements AdapterConfig {
            public Nats {
                servers = List.copyOf(servers);
            }

            public Nats(List<String> servers, String prefix, int requestTimeoutMillis, int connectionTimeoutMillis,
                        String username, String password, String token) {
                this(servers, prefix, requestTimeoutMillis, connectionTimeoutMillis, username, password, token, null);
            }

            public String driver() {
                return "nats";
            }

            @Override
            public String toString() {
                return "Nats[" + Secrets.mask(String.join(",", servers)) + ", prefix=" + prefix + ", user=" + username
                        + (password != null ? ", password=***" : "") + (token != null ? ", token=***" : "")
                        + (tlsCaPath != null ? ", tlsCaPath=" + tlsCaPath : "") + "]";
            }
        }
    }

    /**
     * Where a redis-backed part finds Redis: one server by URL, or a Redis Cluster by its seed
     * nodes. {@link #describe} never shows a password.
     */
    public sealed interface RedisEndpoint {
        /** {@code redis} or {@code redis-cluster}: the driver name that chose this endpoint. */
        String driver();

        String describe();

        /** The URL(s) as configured, credentials included: for connecting, never for printing. */
        List<String> urls();

        record Standalone(String url) implements RedisEndpoint {
            public String driver() {
                return "redis";
            }

            public String describe() {
                return Secrets.mask(url);
            }

            public List<String> urls() {
                return Collections.singletonList(url);
            }

            @Override
            public String toString() {
                return "Standalone[" + describe() + "]";
            }
        }

        record Cluster(List<String> seeds) implements RedisEndpoint {
            public Cluster {
                seeds = List.copyOf(seeds);
            }

            public String driver() {
                return "redis-cluster";
            }

            public String describe() {
                return Secrets.mask(String.join(",", seeds));
            }

            public List<String> urls() {
                return seeds;
            }

            @Override
            public String toString() {
                return "Cluster[" + describe() + "]";
            }
        }
    }

    /**
     * {@code app_manager.*}: where apps come from. The memory driver holds the configured list; the
     * database drivers read a table and keep what they read for {@code cache}'s TTL.
     */
    public sealed interface AppManagerConfig {
        String driver();

        /** {@code app_manager.array.apps} (and the default app). */
        record Memory(List<App> apps) implements AppManagerConfig {
            public Memory {
                apps = List.copyOf(apps);
            }

            public String driver() {
                return "memory";
            }
        }

        /** A table in a database, read through the app cache. */
        sealed interface Database extends AppManagerConfig {
            SqlDatabase database();

            AppCache cache();
        }

        /** A MySQL or MariaDB table ({@code database.mysql}). */
        record Mysql(SqlDatabase database, AppCache cache) implements Database {
            public String driver() {
                return "mysql";
            }
        }

        /** A PostgreSQL table ({@code database.postgres}). */
        record Postgres(SqlDatabase database, AppCache cache) implements Database {
            public String driver() {
                return "postgres";
            }
        }
    }

    /** {@code database.mysql} or {@code database.postgres}: the server, the table, and the pool's size. */
    public record SqlDatabase(String host, int port, String username, String password, String database, String tableName,
                              int poolSize) {
        @Override
        public String toString() {
            return "SqlDatabase[" + username + "@" + host + ":" + port + "/" + database + ", table=" + tableName
                    + ", poolSize=" + poolSize + (password != null ? ", password=***" : "") + "]";
        }
    }

    /**
     * {@code app_manager.cache.*}: how long an app read from the database is used before it is read
     * again; {@code enabled} false reads it on every lookup (bursts for one app still share a query).
     */
    public record AppCache(boolean enabled, int ttlSeconds) {
        public static AppCache defaults() {
            return new AppCache(true, 300);
        }
    }

    /** {@code cache.*}: where cache channels keep their last event, for {@code ttlSeconds}. */
    public sealed interface CacheConfig {
        String driver();

        /** This node only, at most {@code maxCapacity} channels (least recently used go first). */
        record Memory(int ttlSeconds, long maxCapacity) implements CacheConfig {
            public String driver() {
                return "memory";
            }
        }

        /** Shared by every node: one key per channel, {@code {prefix}{app}:{channel}}. */
        record Redis(RedisEndpoint redis, String prefix, int ttlSeconds) implements CacheConfig {
            public String driver() {
                return redis.driver();
            }
        }

        /** Nothing is kept: every subscriber of a cache channel gets {@code pusher:cache_miss}. */
        record None() implements CacheConfig {
            public String driver() {
                return "none";
            }
        }

        static CacheConfig memory() {
            return new Memory(300, 10_000);
        }
    }

    /** {@code ssl.*}: TLS on the main port from PEM files; optionally a plain port that redirects to it. */
    public record SslConfig(boolean enabled, String certPath, String keyPath, boolean redirectHttp, int httpPort) {
        public static SslConfig off() {
            return new SslConfig(false, null, null, false, 80);
        }
    }

    /** {@code cors.*}: the CORS headers of the HTTP API. */
    public record CorsConfig(List<String> origins, List<String> methods, List<String> allowedHeaders, boolean credentials) {
        public CorsConfig {
            origins = List.copyOf(origins);
            methods = List.copyOf(methods);
            allowedHeaders = List.copyOf(allowedHeaders);
        }

        /**
         * Sockudo's methods and headers; {@code credentials} false where Sockudo has true: the API
         * is signed, it needs no cookies, and with any origin allowed a browser would send them
         * from every site.
         */
        public static CorsConfig defaults() {
            return new CorsConfig(List.of("*"), List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
                    List.of("Authorization", "Content-Type", "X-Requested-With", "Accept", "X-Ably-ClientId", "X-Ably-Version",
                            "X-Ably-Lib", "X-Ably-DeviceToken", "Ably-Agent", "Ably-Version", "Ably-ClientId",
                            "X-Idempotency-Key"), false);
        }
    }

    /**
     * {@code rate_limiter.*}: requests per client IP and window, for the HTTP API and for WebSocket
     * upgrades, counted where {@code backend} says. The client IP is the socket's address, or with
     * {@code apiTrustHops} / {@code websocketTrustHops} N the N-th X-Forwarded-For address from
     * the right (the one the outermost of N trusted proxies saw), or with {@code trustForwardedFor}
     * the first one.
     */
    public record RateLimiterConfig(boolean enabled, RateLimiterBackend backend, int apiMaxRequests, int apiWindowSeconds,
                                    int websocketMaxRequests, int websocketWindowSeconds, boolean trustForwardedFor,
                                    int apiTrustHops, int websocketTrustHops) {
        /** Trusting no proxy hops. */
        public RateLimiterConfig(boolean enabled, RateLimiterBackend backend, int apiMaxRequests, int apiWindowSeconds,
                                 int websocketMaxRequests, int websocketWindowSeconds, boolean trustForwardedFor) {
            this(enabled, backend, apiMaxRequests, apiWindowSeconds, websocketMaxRequests, websocketWindowSeconds,
                    trustForwardedFor, 0, 0);
        }

        public static RateLimiterConfig off() {
            return new RateLimiterConfig(false, new RateLimiterBackend.Memory(), 100, 60, 20, 60, false);
        }

        public String driver() {
            return backend.driver();
        }
    }

    /** Where the rate limiter counts: this node, or a Redis (Cluster) shared by every node. */
    public sealed interface RateLimiterBackend {
        String driver();

        record Memory() implements RateLimiterBackend {
            public String driver() {
                return "memory";
            }
        }

        /** Keys {@code {prefix}api:{ip}} and {@code {prefix}ws:{ip}}. */
        record Redis(RedisEndpoint redis, String prefix) implements RateLimiterBackend {
            public String driver() {
                return redis.driver();
            }
        }
    }

    /**
     * {@code queue.*}: where webhook jobs wait. {@code driver} is memory, redis, redis-cluster or none
     * (webhooks off). {@code concurrency} bounds the requests in flight per node; the redis drivers
     * use {@code redisUrl} or {@code clusterNodes}, {@code prefix} and {@code commandTimeoutMillis};
     * a job held by a node that stops renewing it is taken by another after {@code leaseSeconds};
     * at most {@code maxJobs} jobs are kept.
     */
    public record QueueConfig(String driver, int concurrency, String redisUrl, List<String> clusterNodes, String prefix,
                              int commandTimeoutMillis, int leaseSeconds, int maxJobs) {
        public QueueConfig {
            clusterNodes = List.copyOf(clusterNodes);
        }

        @Override
        public String toString() {
            return "QueueConfig[" + driver + ", concurrency=" + concurrency + ", redis=" + Secrets.mask(redisUrl)
                    + ", clusterNodes=" + Secrets.mask(String.join(",", clusterNodes)) + ", prefix=" + prefix
                    + ", commandTimeoutMillis=" + commandTimeoutMillis + ", leaseSeconds=" + leaseSeconds
                    + ", maxJobs=" + maxJobs + "]";
        }

        /** The Redis of the {@code redis} or {@code redis-cluster} driver. */
        public RedisEndpoint redisEndpoint() {
            return driver.equals("redis-cluster") ? new RedisEndpoint.Cluster(clusterNodes) : new RedisEndpoint.Standalone(redisUrl);
        }

        public static QueueConfig memory() {
            return new QueueConfig("memory", 5, "redis://127.0.0.1:6379/0", List.of("redis://127.0.0.1:7000"),
                    "sockudo_queue:", 5000, 30, 100_000);
        }
    }

    /**
     * {@code webhooks.*}: with {@code batching}, one app's events for one webhook within
     * {@code batchingDurationMillis} travel in one POST of at most {@code batchingSize} events;
     * each POST waits {@code requestTimeoutMillis} for its answer; failed ones are retried for
     * {@code retryWindowSeconds}.
     */
    public record WebhooksConfig(boolean batching, int batchingDurationMillis, int batchingSize, int requestTimeoutMillis,
                                 int retryWindowSeconds) {
        public static WebhooksConfig defaults() {
            return new WebhooksConfig(false, 50, 100, 10_000, 300);
        }
    }

    /**
     * {@code metrics.*}: Prometheus metrics on {@code host:port} at {@code /metrics}, every series
     * name starting with {@code prefix}. Disabled: no port is opened and nothing is counted.
     */
    public record MetricsConfig(boolean enabled, String host, int port, String prefix) {
        public static MetricsConfig off() {
            return new MetricsConfig(false, "0.0.0.0", 9601, "sockudo_");
        }
    }

    /**
     * {@code health_check.*}: with {@code enabled}, every backend gets a round trip every
     * {@code intervalSeconds}, answered within {@code timeoutSeconds}, besides its connection state.
     */
    public record HealthCheckConfig(boolean enabled, int intervalSeconds, int timeoutSeconds) {
        public static HealthCheckConfig defaults() {
            return new HealthCheckConfig(true, 30, 10);
        }
    }

    /**
     * Every backend credential of this configuration (Redis passwords in URLs, NATS password and
     * token, database passwords), for {@link Secrets#mask(String, java.util.Collection)}: the last
     * guard before a start-up error is printed.
     */
    public Set<String> secrets() {
        Set<String> secrets = new LinkedHashSet<>();
        List<String> urls = new ArrayList<>();
        if (adapter instanceof AdapterConfig.Redis redis) {
            urls.addAll(List.of(redis.publishUrl(), redis.subscribeUrl()));
        } else if (adapter instanceof AdapterConfig.RedisCluster cluster) {
            urls.addAll(cluster.nodes());
        } else if (adapter instanceof AdapterConfig.Nats nats) {
            urls.addAll(nats.servers());
            secrets.add(nats.password());
            secrets.add(nats.token());
        }
        if (cache instanceof CacheConfig.Redis redis) {
            urls.addAll(redis.redis().urls());
        }
        if (rateLimiter.backend() instanceof RateLimiterBackend.Redis redis) {
            urls.addAll(redis.redis().urls());
        }
        urls.add(queue.redisUrl());
        urls.addAll(queue.clusterNodes());
        if (appManager instanceof AppManagerConfig.Database database) {
            secrets.add(database.database().password());
        }
        urls.forEach(url -> secrets.addAll(Secrets.ofUrl(url)));
        secrets.remove(null);
        secrets.removeIf(String::isEmpty);
        return secrets;
    }

    public int websocketMaxPayloadBytes() {
        return websocketMaxPayloadKb * 1024;
    }

    public int httpMaxBodyBytes() {
        return httpMaxBodyKb * 1024;
    }

    /** Same configuration on another port (tests bind port 0 and read the real one back). */
    public HeraldConfig withPort(int newPort) {
        return toBuilder().port(newPort).build();
    }

    /** A builder holding this configuration, to change some of it (tests, tools). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copies a configuration with some parts replaced; every part is validated where it was loaded. */
    public static final class Builder {
        private boolean debug;
        private String host;
        private int port;
        private int activityTimeoutSeconds;
        private int pongTimeoutSeconds;
        private int shutdownGracePeriodSeconds;
        private int userAuthenticationTimeoutSeconds;
        private int websocketMaxPayloadKb;
        private int httpMaxBodyKb;
        private int maxChannelsPerConnection;
        private int httpRequestTimeoutSeconds;
        private int httpIdleTimeoutSeconds;
        private String processId;
        private AdapterConfig adapter;
        private AppManagerConfig appManager;
        private CacheConfig cache;
        private SslConfig ssl;
        private CorsConfig cors;
        private RateLimiterConfig rateLimiter;
        private QueueConfig queue;
        private WebhooksConfig webhooks;
        private MetricsConfig metrics;
        private HealthCheckConfig healthCheck;
        private int maxConnections;
        private boolean usageEnabled;
        private String redisTlsCaPath;
        private String ioTransport;
        private boolean startupWarmUp;

        private Builder(HeraldConfig c) {
            debug = c.debug;
            host = c.host;
            port = c.port;
            activityTimeoutSeconds = c.activityTimeoutSeconds;
            pongTimeoutSeconds = c.pongTimeoutSeconds;
            shutdownGracePeriodSeconds = c.shutdownGracePeriodSeconds;
            userAuthenticationTimeoutSeconds = c.userAuthenticationTimeoutSeconds;
            websocketMaxPayloadKb = c.websocketMaxPayloadKb;
            httpMaxBodyKb = c.httpMaxBodyKb;
            maxChannelsPerConnection = c.maxChannelsPerConnection;
            httpRequestTimeoutSeconds = c.httpRequestTimeoutSeconds;
            httpIdleTimeoutSeconds = c.httpIdleTimeoutSeconds;
            processId = c.processId;
            adapter = c.adapter;
            appManager = c.appManager;
            cache = c.cache;
            ssl = c.ssl;
            cors = c.cors;
            rateLimiter = c.rateLimiter;
            queue = c.queue;
            webhooks = c.webhooks;
            metrics = c.metrics;
            healthCheck = c.healthCheck;
            maxConnections = c.maxConnections;
            usageEnabled = c.usageEnabled;
            redisTlsCaPath = c.redisTlsCaPath;
            ioTransport = c.ioTransport;
            startupWarmUp = c.startupWarmUp;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder debug(boolean value) {
            debug = value;
            return this;
        }

        public Builder shutdownGracePeriodSeconds(int value) {
            shutdownGracePeriodSeconds = value;
            return this;
        }

        public Builder websocketMaxPayloadKb(int value) {
            websocketMaxPayloadKb = value;
            return this;
        }

        public Builder httpMaxBodyKb(int value) {
            httpMaxBodyKb = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder activityTimeoutSeconds(int value) {
            activityTimeoutSeconds = value;
            return this;
        }

        public Builder pongTimeoutSeconds(int value) {
            pongTimeoutSeconds = value;
            return this;
        }

        public Builder userAuthenticationTimeoutSeconds(int value) {
            userAuthenticationTimeoutSeconds = value;
            return this;
        }

        public Builder maxChannelsPerConnection(int value) {
            maxChannelsPerConnection = value;
            return this;
        }

        public Builder httpRequestTimeoutSeconds(int value) {
            httpRequestTimeoutSeconds = value;
            return this;
        }

        public Builder httpIdleTimeoutSeconds(int value) {
            httpIdleTimeoutSeconds = value;
            return this;
        }

        public Builder processId(String value) {
            processId = value;
            return this;
        }

        public Builder adapter(AdapterConfig value) {
            adapter = value;
            return this;
        }

        public Builder appManager(AppManagerConfig value) {
            appManager = value;
            return this;
        }

        public Builder cache(CacheConfig value) {
            cache = value;
            return this;
        }

        public Builder ssl(SslConfig value) {
            ssl = value;
            return this;
        }

        public Builder cors(CorsConfig value) {
            cors = value;
            return this;
        }

        public Builder rateLimiter(RateLimiterConfig value) {
            rateLimiter = value;
            return this;
        }

        public Builder queue(QueueConfig value) {
            queue = value;
            return this;
        }

        public Builder webhooks(WebhooksConfig value) {
            webhooks = value;
            return this;
        }

        public Builder metrics(MetricsConfig value) {
            metrics = value;
            return this;
        }

        public Builder healthCheck(HealthCheckConfig value) {
            healthCheck = value;
            return this;
        }

        public Builder redisTlsCaPath(String value) {
            redisTlsCaPath = value;
            return this;
        }

        public HeraldConfig build() {
            return new HeraldConfig(debug, host, port, activityTimeoutSeconds, pongTimeoutSeconds,
                    shutdownGracePeriodSeconds, userAuthenticationTimeoutSeconds, websocketMaxPayloadKb, httpMaxBodyKb,
                    maxChannelsPerConnection, httpRequestTimeoutSeconds, httpIdleTimeoutSeconds, processId, adapter, appManager,
                    cache, ssl, cors, rateLimiter, queue, webhooks, metrics, healthCheck, maxConnections, usageEnabled,
                    redisTlsCaPath, ioTransport, startupWarmUp);
        }

        public Builder startupWarmUp(boolean value) {
            startupWarmUp = value;
            return this;
        }
    }
}
