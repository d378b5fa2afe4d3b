package io.herald.config;

import io.herald.app.App;
import java.util.List;

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
        WebhooksConfig webhooks) {

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

    /**
     * {@code adapter.*}: which cluster driver carries events between nodes, resolved for that
     * driver. {@code servers} are the Redis URLs (redis: publish then subscribe connection;
     * redis-cluster: the seed nodes) or NATS servers; {@code prefix} starts every channel or subject
     * name, so several Herald clusters can share one backend.
     */
    public record AdapterConfig(String driver, List<String> servers, String prefix, int requestTimeoutMillis,
                                int connectionTimeoutMillis, String username, String password, String token) {
        public AdapterConfig {
            servers = List.copyOf(servers);
        }

        public static AdapterConfig local() {
            return new AdapterConfig("local", List.of(), "", 5000, 5000, null, null, null);
        }
    }

    /** `app_manager.*`: where apps come from; `apps` is the memory (array) driver's list. */
    public record AppManagerConfig(String driver, List<App> apps, boolean cacheEnabled, int cacheTtlSeconds) {
        public AppManagerConfig {
            apps = List.copyOf(apps);
        }
    }

    /**
     * {@code cache.*}: where cache channels keep their last event. {@code driver} is memory,
     * redis or none; events are kept {@code ttlSeconds}; the memory driver holds at most
     * {@code maxCapacity} channels; the redis driver uses {@code redisUrl} and {@code redisPrefix}.
     */
    public record CacheConfig(String driver, int ttlSeconds, long maxCapacity, String redisUrl, String redisPrefix) {
        public static CacheConfig memory() {
            return new CacheConfig("memory", 300, 10_000, "redis://127.0.0.1:6379/0", "sockudo_cache:");
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

        public static CorsConfig defaults() {
            return new CorsConfig(List.of("*"), List.of("GET", "POST", "OPTIONS"),
                    List.of("Authorization", "Content-Type", "X-Requested-With", "Accept"), false);
        }
    }

    /**
     * {@code rate_limiter.*}: requests per client IP and window, for the HTTP API and for WebSocket
     * upgrades. {@code trustForwardedFor} makes the client IP the first X-Forwarded-For address.
     */
    public record RateLimiterConfig(boolean enabled, String driver, int apiMaxRequests, int apiWindowSeconds,
                                    int websocketMaxRequests, int websocketWindowSeconds, String redisUrl,
                                    String redisPrefix, boolean trustForwardedFor) {
        public static RateLimiterConfig off() {
            return new RateLimiterConfig(false, "memory", 100, 60, 20, 60, "redis://127.0.0.1:6379/0", "sockudo_rl:", false);
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

        public HeraldConfig build() {
            return new HeraldConfig(debug, host, port, activityTimeoutSeconds, pongTimeoutSeconds,
                    shutdownGracePeriodSeconds, userAuthenticationTimeoutSeconds, websocketMaxPayloadKb, httpMaxBodyKb,
                    maxChannelsPerConnection, httpRequestTimeoutSeconds, httpIdleTimeoutSeconds, processId, adapter, appManager, cache, ssl, cors, rateLimiter, queue, webhooks);
        }
    }
}
