package io.herald;

import io.herald.api.Health;
import io.herald.api.HttpApi;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.app.CachingAppManager;
import io.herald.app.MemoryAppManager;
import io.herald.app.sql.SqlAppManager;
import io.herald.app.sql.SqlDialect;
import io.herald.cache.ChannelCache;
import io.herald.cache.MemoryChannelCache;
import io.herald.cache.NoChannelCache;
import io.herald.cache.RedisChannelCache;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.ConnectionQuota;
import io.herald.channel.RevokedApps;
import io.herald.cluster.Adapter;
import io.herald.cluster.ClusterAdapter;
import io.herald.cluster.ClusterTransport;
import io.herald.cluster.LocalAdapter;
import io.herald.cluster.NatsTransport;
import io.herald.cluster.RedisTransport;
import io.herald.config.HeraldConfig;
import io.herald.events.ServerEvents;
import io.herald.metrics.MetricsEndpoint;
import io.herald.metrics.NodeMeters;
import io.herald.metrics.PrometheusMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.herald.wire.ErrorCodes;
import io.herald.protocol.PusherProtocol;
import io.herald.ratelimit.AppRateLimits;
import io.herald.ratelimit.HttpRateLimits;
import io.herald.ratelimit.MemoryRateLimiter;
import io.herald.ratelimit.RateLimiter;
import io.herald.ratelimit.RedisRateLimiter;
import io.herald.ratelimit.RedisSharedBudget;
import io.herald.redis.LettuceClients;
import io.herald.transport.EventLoops;
import io.herald.transport.HeraldServer;
import io.herald.webhooks.MemoryWebhookQueue;
import io.herald.webhooks.RedisWebhookQueue;
import io.herald.webhooks.WebhookQueue;
import io.herald.webhooks.WebhookStats;
import io.herald.webhooks.Webhooks;
import java.nio.file.Path;
import java.time.Duration;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Herald node: wires every part from the configuration, starts and stops them. */
public final class Herald implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Herald.class);
    /** How long closing connections get for their close frame (a connection cuts itself after 5 s). */
    private static final int CLOSE_WAIT_SECONDS = 6;

    private final HeraldConfig config;
    private final EventLoops loops;
    private final AppManager apps;
    private final LettuceClients lettuce;
    private final Adapter adapter;
    private final ChannelCache cache;
    private final HttpRateLimits rateLimits;
    private final AppRateLimits appLimits;
    private final ChannelRegistry registry;
    private final ConnectionQuota quota;
    private final HeraldServer server;
    private final Webhooks webhooks; // null with queue.driver none
    private final PrometheusMetrics metrics; // null with metrics.enabled false
    private MetricsEndpoint metricsEndpoint;
    private final Health health;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private int port;

    private Herald(HeraldConfig config) {
        this.config = config;
        this.loops = EventLoops.create(Runtime.getRuntime().availableProcessors(), config.ioTransport());
        this.metrics = config.metrics().enabled()
                ? new PrometheusMetrics(config.metrics().prefix()) : null;
        MeterRegistry meters = metrics == null ? null : metrics.registry();
        this.lettuce = LettuceClients.onLoops(loops.workers(), meters,
                config.redisTlsCaPath() == null ? null : Path.of(config.redisTlsCaPath()));
        // What is opened so far, closed again if a later part cannot start.
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.apps = opened(opened, createAppManager(config.appManager(), meters));
            this.quota = new ConnectionQuota(config.maxConnections());
            this.webhooks = opened(opened, createWebhooks(config.queue(), config.webhooks(), config.processId()));
            ServerEvents events = ServerEvents.fanOut(Arrays.asList(webhooks, metrics));
            this.adapter = opened(opened, createAdapter(config.adapter(), config.processId(), events));
            quota.countElsewhere(adapter::connectionsElsewhere);
            this.cache = opened(opened, createCache(config.cache()));
            this.rateLimits = opened(opened, new HttpRateLimits(createRateLimiter(config.rateLimiter()), config.rateLimiter(),
                    events));
            this.appLimits = opened(opened, createAppLimits(config, events));
            this.registry = new ChannelRegistry(loops.workers(), events);
            if (metrics != null) {
                metrics.countTrafficOf(registry::trafficTotals);
            }
            PusherProtocol protocol = new PusherProtocol(registry, adapter, cache, events, config.activityTimeoutSeconds(),
                    config.maxChannelsPerConnection());
            this.health = opened(opened, new Health(healthChecks(), draining::get));
            HttpApi api = new HttpApi(apps, adapter, cache, quota, appLimits, rateLimits, events, health, this::loopsRespond,
                    config.usageEnabled());
            this.server = new HeraldServer(config, loops, apps, registry, quota, protocol, api, draining::get, events);
        } catch (RuntimeException e) {
            // A backend that cannot be reached at start-up: no thread or connection of this node may outlive the failure.
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            lettuce.close();
            loops.shutdown();
            throw e;
        }
    }

    private static <T> T opened(List<AutoCloseable> opened, T part) {
        if (part instanceof AutoCloseable closeable) {
            opened.add(closeable);
        }
        return part;
    }

    /** What {@code /up} checks: each backend this node needs, and the one it can do without. */
    private List<Health.Check> healthChecks() {
        List<Health.Check> checks = new ArrayList<>();
        checks.add(new Health.Check("app_manager", "App database unreachable: " + apps.describe(), true, apps::isHealthy,
                apps::probe));
        checks.add(new Health.Check("adapter", "Cluster backend (" + adapter.name() + ") unreachable", true,
                adapter::isHealthy, adapter::probe));
        checks.add(new Health.Check("cache", "Cache backend unreachable", true, cache::isHealthy, cache::probe));
        if (webhooks != null) {
            checks.add(new Health.Check("queue", "Webhook queue backend unreachable", true, webhooks::isHealthy,
                    webhooks::probe));
        }
        checks.add(new Health.Check("rate_limiter", "Rate limiter backend unreachable", true, rateLimits::isHealthy,
                rateLimits::probe));
        checks.add(new Health.Check("app_limits", "Per-app limits' Redis unreachable: each node allows its share", false,
                appLimits::sharedBudgetAvailable, appLimits::probe));
        return checks;
    }

    /** Completes with true once every worker loop ran a task: {@code /live}. */
    private CompletableFuture<Boolean> loopsRespond() {
        List<CompletableFuture<Void>> ran = new ArrayList<>();
        for (EventExecutor loop : loops.workers()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.execute(() -> done.complete(null));
            ran.add(done);
        }
        return CompletableFuture.allOf(ran.toArray(CompletableFuture[]::new)).orTimeout(2, TimeUnit.SECONDS).thenApply(all -> true);
    }

    /** The one place an app manager driver is chosen (Java 17: an instanceof chain over the sealed config). */
    private static AppManager createAppManager(HeraldConfig.AppManagerConfig config, MeterRegistry meters) {
        if (config instanceof HeraldConfig.AppManagerConfig.Database database) {
            SqlDialect dialect = database instanceof HeraldConfig.AppManagerConfig.Mysql ? SqlDialect.MYSQL : SqlDialect.POSTGRES;
            return new CachingAppManager(SqlAppManager.open(dialect, database.database(), meters), cacheTtl(database.cache()));
        }
        return new MemoryAppManager(((HeraldConfig.AppManagerConfig.Memory) config).apps());
    }

    /** How long an app read from a database is used: zero reads it again on every lookup. */
    private static Duration cacheTtl(HeraldConfig.AppCache cache) {
        return cache.enabled() ? Duration.ofSeconds(cache.ttlSeconds()) : Duration.ZERO;
    }

    /** The one place a cluster driver is chosen. */
    private Adapter createAdapter(HeraldConfig.AdapterConfig adapter, String nodeId, ServerEvents events) {
        ClusterTransport transport;
        if (adapter instanceof HeraldConfig.AdapterConfig.Redis redis) {
            transport = RedisTransport.standalone(lettuce, redis.publishUrl(), redis.subscribeUrl());
        } else if (adapter instanceof HeraldConfig.AdapterConfig.RedisCluster cluster) {
            transport = RedisTransport.cluster(lettuce, cluster.nodes());
        } else if (adapter instanceof HeraldConfig.AdapterConfig.Nats nats) {
            transport = new NatsTransport(nats, nodeId);
        } else {
            return new LocalAdapter(events);
        }
        return new ClusterAdapter(nodeId, transport, adapter.prefix(), adapter.requestTimeoutMillis(), quota::perApp, events);
    }

    /** The one place a webhook queue driver is chosen by name; null when {@code queue.driver} is none. */
    private Webhooks createWebhooks(HeraldConfig.QueueConfig queue, HeraldConfig.WebhooksConfig settings, String nodeId) {
        WebhookStats stats = new WebhookStats();
        WebhookQueue jobs = switch (queue.driver()) {
            case "memory" -> new MemoryWebhookQueue(queue.maxJobs(), Webhooks.MEMORY_QUEUE_BYTES);
            case "redis", "redis-cluster" -> RedisWebhookQueue.open(lettuce, queue.redisEndpoint(), queue.prefix(), nodeId,
                    queue.maxJobs(), TimeUnit.SECONDS.toMillis(queue.leaseSeconds()), queue.commandTimeoutMillis(), stats);
            case "none" -> null;
            default -> throw new IllegalArgumentException("queue.driver '" + queue.driver() + "' is not available");
        };
        if (jobs == null) {
            List<String> withWebhooks = config.appManager() instanceof HeraldConfig.AppManagerConfig.Memory memory
                    ? memory.apps().stream().filter(app -> !app.webhooks().isEmpty()).map(App::id).toList()
                    : List.of();
            if (!withWebhooks.isEmpty()) {
                log.warn("queue.driver none: webhooks are off, so the webhooks of app(s) {} are never sent", withWebhooks);
            }
            return null;
        }
        return new Webhooks(apps, jobs, queue, settings, stats);
    }

    /** The one place a cache driver is chosen. */
    private ChannelCache createCache(HeraldConfig.CacheConfig cache) {
        if (cache instanceof HeraldConfig.CacheConfig.Memory memory) {
            return new MemoryChannelCache(memory.ttlSeconds(), memory.maxCapacity());
        }
        if (cache instanceof HeraldConfig.CacheConfig.Redis redis) {
            return new RedisChannelCache(lettuce, redis.redis(), redis.prefix(), redis.ttlSeconds());
        }
        return new NoChannelCache();
    }

    /**
     * The per-app limits hold for the whole cluster when it shares a Redis: the adapter's (redis or
     * redis-cluster driver), else the rate limiter's (redis or redis-cluster driver, enabled or not).
     * Otherwise (one node, or NATS without a Redis) each node counts on its own.
     */
    private AppRateLimits createAppLimits(HeraldConfig config, ServerEvents events) {
        HeraldConfig.RedisEndpoint shared = null;
        String part = "adapter.driver";
        if (config.adapter() instanceof HeraldConfig.AdapterConfig.Redis redis) {
            shared = new HeraldConfig.RedisEndpoint.Standalone(redis.publishUrl());
        } else if (config.adapter() instanceof HeraldConfig.AdapterConfig.RedisCluster cluster) {
            shared = new HeraldConfig.RedisEndpoint.Cluster(cluster.nodes());
        } else if (config.rateLimiter().backend() instanceof HeraldConfig.RateLimiterBackend.Redis redis) {
            shared = redis.redis();
            part = "rate_limiter.driver";
        }
        String prefix = config.rateLimiter().backend() instanceof HeraldConfig.RateLimiterBackend.Redis redis
                ? redis.prefix() : "sockudo_rl:";
        return new AppRateLimits(shared == null ? null : new RedisSharedBudget(lettuce, shared, prefix, part),
                adapter::liveNodes, events);
    }

    /** The one place a rate limiter driver is chosen; null when {@code rate_limiter.enabled} is false. */
    private RateLimiter createRateLimiter(HeraldConfig.RateLimiterConfig limiter) {
        if (!limiter.enabled()) {
            return null;
        }
        if (limiter.backend() instanceof HeraldConfig.RateLimiterBackend.Redis redis) {
            return new RedisRateLimiter(lettuce, redis.redis(), redis.prefix());
        }
        return new MemoryRateLimiter();
    }

    public static Herald start(HeraldConfig config) throws InterruptedException {
        return start(config, null);
    }

    /**
     * Starts the node; {@code beforeAccepting} (when not null) runs once the port is bound and
     * every backend is connected, before the first connection is accepted: {@code bin/herald}'s
     * start-up warm-up, so that a port in use or an unreachable backend fails start-up at once.
     */
    public static Herald start(HeraldConfig config, Runnable beforeAccepting) throws InterruptedException {
        Herald herald = new Herald(config);
        try {
            if (herald.webhooks != null) {
                herald.webhooks.start();
            }
            herald.adapter.start(herald.registry);
            herald.port = herald.server.bind(beforeAccepting == null);
            if (beforeAccepting != null) {
                beforeAccepting.run();
                herald.server.startAccepting();
            }
            HeraldConfig.HealthCheckConfig checks = config.healthCheck();
            if (checks.enabled()) {
                herald.health.probeEvery(Duration.ofSeconds(checks.intervalSeconds()), Duration.ofSeconds(checks.timeoutSeconds()));
            }
            herald.startMetrics();
            herald.watchForRevokedApps();
        } catch (RuntimeException | InterruptedException e) {
            herald.stopParts();
            throw e;
        }
        log.info("Herald node {} listening on {}:{} ({}, adapter {}, apps {})", config.processId(), config.host(),
                herald.port, herald.loops.transportName(), herald.adapter.name(), herald.apps.describe());
        log.info("backends: {}", String.join("; ", herald.backendDescriptions()));
        log.info("webhooks: {}", herald.webhooks == null ? "off (queue.driver none)" : "queue " + herald.webhooks.describe());
        log.info("per-app limits: {}", herald.appLimits.describe());
        log.info("metrics: {}", herald.metricsEndpoint == null ? "off (metrics.enabled false)"
                : "Prometheus on " + config.metrics().host() + ":" + herald.metricsEndpoint.port() + "/metrics");
        HeraldConfig.RateLimiterConfig limits = config.rateLimiter();
        if (limits.enabled()) {
            log.info("rate limiter {}: {} API requests per {} s and {} WebSocket connections per {} s per client IP{}",
                    limits.driver(), limits.apiMaxRequests(), limits.apiWindowSeconds(), limits.websocketMaxRequests(),
                    limits.websocketWindowSeconds(), limits.trustForwardedFor() ? " (first X-Forwarded-For address)" : "");
        }
        return herald;
    }

    /** The node's own series, and the scrape port (after the main port: the series carry its number). */
    private void startMetrics() throws InterruptedException {
        if (metrics == null) {
            return;
        }
        metrics.listeningOn(port);
        NodeMeters.bindNode(metrics, config.processId(), Version.current());
        NodeMeters.bindCluster(metrics, adapter);
        NodeMeters.bindHealth(metrics, health);
        if (webhooks != null) {
            NodeMeters.bindWebhooks(metrics, webhooks.stats(), webhooks::waitingInProcess);
        }
        HeraldConfig.MetricsConfig settings = config.metrics();
        metricsEndpoint = MetricsEndpoint.listen(loops, settings.host(), settings.port(), metrics);
    }

    /** The port {@code /metrics} is served on; -1 with metrics off. */
    public int metricsPort() {
        return metricsEndpoint == null ? -1 : metricsEndpoint.port();
    }

    /**
     * What this node connected to, one entry per part (adapter, apps, cache, webhook queue, rate
     * limiter), addresses without passwords: logged once at start-up, in one place. A part added
     * later (the metrics listener) adds its entry here.
     */
    List<String> backendDescriptions() {
        List<String> parts = new ArrayList<>(StartupSummary.backends(config));
        parts.add(metricsEndpoint == null ? "metrics off" : "metrics on " + config.metrics().host() + ":" + metricsEndpoint.port());
        return parts;
    }

    /** Apps from a database can be disabled or deleted while their clients are connected: see {@link RevokedApps}. */
    private void watchForRevokedApps() {
        if (config.appManager() instanceof HeraldConfig.AppManagerConfig.Database database) {
            long every = Math.max(1, cacheTtl(database.cache()).toSeconds());
            loops.workers().next().scheduleWithFixedDelay(
                    () -> RevokedApps.closeConnectionsOfRevokedApps(apps, quota, registry), every, every, TimeUnit.SECONDS);
        }
    }

    /** What the webhooks of this node did so far (null with queue.driver none). */
    public WebhookStats webhookStats() {
        return webhooks == null ? null : webhooks.stats();
    }

    /** The port actually bound (useful when the config asked for port 0). */
    public int port() {
        return port;
    }

    /** Completes when {@link #close()} has finished. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Graceful stop, in the order a load balancer needs:
     * <ol>
     * <li>{@code /up} answers 503 and new WebSocket connections are refused (503); the listener
     * stays open, so health checks see the 503 and the API still answers;</li>
     * <li>the open connections stay, served as before, for up to {@code shutdown_grace_period}
     * seconds (less if they all leave), while load balancers take the node out;</li>
     * <li>the listener closes and every connection left gets 4200 (reconnect now, to another
     * node); the close frames get {@link #CLOSE_WAIT_SECONDS} to go out;</li>
     * <li>the cluster hears goodbye, webhooks in flight are posted, backends are closed.</li>
     * </ol>
     */
    @Override
    public synchronized void close() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        int grace = config.shutdownGracePeriodSeconds();
        int open = quota.total();
        if (open > 0 && grace > 0) {
            log.info("shutting down: /up answers 503; {} connection(s) stay open for up to {} s (shutdown_grace_period)"
                    + " while load balancers stop sending new ones", open, grace);
            quota.awaitNoConnections(TimeUnit.SECONDS.toMillis(grace));
        }
        server.stopAccepting();
        log.info("shutting down: closing {} connection(s) with 4200", quota.total());
        registry.forEachConnection(connection -> connection.close(ErrorCodes.RECONNECT_NOW, "Server shutting down"));
        if (!quota.awaitNoConnections(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS))) {
            log.warn("{} connection(s) did not take their close frame within {} s; cutting them", quota.total(),
                    CLOSE_WAIT_SECONDS);
        }
        stopParts();
        closed.complete(null);
        log.info("stopped");
    }

    private void stopParts() {
        health.close();
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        adapter.close(); // before the webhooks: the facts it still holds are posted
        if (webhooks != null) {
            webhooks.close();
        }
        cache.close();
        rateLimits.close();
        appLimits.close();
        apps.close();
        lettuce.close();
        loops.shutdown();
    }
}
