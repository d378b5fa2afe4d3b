package io.herald;

import io.herald.api.HttpApi;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.app.MemoryAppManager;
import io.herald.cache.ChannelCache;
import io.herald.cache.MemoryChannelCache;
import io.herald.cache.NoChannelCache;
import io.herald.cache.RedisChannelCache;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.ConnectionQuota;
import io.herald.cluster.Adapter;
import io.herald.cluster.ClusterAdapter;
import io.herald.cluster.ClusterTransport;
import io.herald.cluster.LocalAdapter;
import io.herald.cluster.NatsTransport;
import io.herald.cluster.RedisTransport;
import io.herald.config.HeraldConfig;
import io.herald.events.ServerEvents;
import io.herald.wire.ErrorCodes;
import io.herald.protocol.PusherProtocol;
import io.herald.ratelimit.HttpRateLimits;
import io.herald.ratelimit.MemoryRateLimiter;
import io.herald.ratelimit.RateLimiter;
import io.herald.ratelimit.RedisRateLimiter;
import io.herald.redis.LettuceClients;
import io.herald.transport.EventLoops;
import io.herald.transport.HeraldServer;
import io.herald.webhooks.MemoryWebhookQueue;
import io.herald.webhooks.RedisWebhookQueue;
import io.herald.webhooks.WebhookQueue;
import io.herald.webhooks.WebhookStats;
import io.herald.webhooks.Webhooks;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Herald node: wires every part from the configuration, starts and stops them. */
public final class Herald implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Herald.class);

    private final HeraldConfig config;
    private final EventLoops loops;
    private final AppManager apps;
    private final LettuceClients lettuce;
    private final Adapter adapter;
    private final ChannelCache cache;
    private final HttpRateLimits rateLimits;
    private final ChannelRegistry registry;
    private final ConnectionQuota quota;
    private final HeraldServer server;
    private final Webhooks webhooks; // null with queue.driver none
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private int port;

    private Herald(HeraldConfig config) {
        this.config = config;
        this.loops = EventLoops.create(Runtime.getRuntime().availableProcessors());
        this.lettuce = LettuceClients.onLoops(loops.workers());
        try {
            this.apps = new MemoryAppManager(config.appManager().apps());
            this.quota = new ConnectionQuota();
            this.webhooks = createWebhooks(config.queue(), config.webhooks(), config.processId());
            ServerEvents events = webhooks == null ? ServerEvents.NONE : webhooks;
            this.adapter = createAdapter(config.adapter(), config.processId(), events);
            quota.countElsewhere(adapter::connectionsElsewhere);
            this.cache = createCache(config.cache());
            this.rateLimits = new HttpRateLimits(createRateLimiter(config.rateLimiter()), config.rateLimiter());
            this.registry = new ChannelRegistry(loops.workers());
            PusherProtocol protocol = new PusherProtocol(registry, adapter, cache, events, config.activityTimeoutSeconds(),
                    config.maxChannelsPerConnection());
            HttpApi api = new HttpApi(apps, adapter, cache, quota, rateLimits,
                    () -> webhooks == null || webhooks.isHealthy(), draining::get);
            this.server = new HeraldServer(config, loops, apps, registry, quota, protocol, api, draining::get);
        } catch (RuntimeException e) {
            // A backend that cannot be reached at start-up: no thread of this node may outlive the failure.
            lettuce.close();
            loops.shutdown();
            throw e;
        }
    }

    /** The one place a cluster driver is chosen by name. */
    private Adapter createAdapter(HeraldConfig.AdapterConfig adapter, String nodeId, ServerEvents events) {
        ClusterTransport transport = switch (adapter.driver()) {
            case "local" -> null;
            case "redis" -> RedisTransport.standalone(lettuce, adapter.servers().get(0), adapter.servers().get(1));
            case "redis-cluster" -> RedisTransport.cluster(lettuce, adapter.servers());
            case "nats" -> new NatsTransport(adapter, nodeId);
            default -> throw new IllegalArgumentException("adapter.driver '" + adapter.driver() + "' is not available");
        };
        return transport == null ? new LocalAdapter(events)
                : new ClusterAdapter(nodeId, transport, adapter.prefix(), adapter.requestTimeoutMillis(), quota::perApp, events);
    }

    /** The one place a webhook queue driver is chosen by name; null when {@code queue.driver} is none. */
    private Webhooks createWebhooks(HeraldConfig.QueueConfig queue, HeraldConfig.WebhooksConfig settings, String nodeId) {
        WebhookStats stats = new WebhookStats();
        WebhookQueue jobs = switch (queue.driver()) {
            case "memory" -> new MemoryWebhookQueue(queue.maxJobs(), Webhooks.MEMORY_QUEUE_BYTES);
            case "redis" -> RedisWebhookQueue.standalone(lettuce, queue.redisUrl(), queue.prefix(), nodeId, queue.maxJobs(),
                    TimeUnit.SECONDS.toMillis(queue.leaseSeconds()), queue.commandTimeoutMillis(), stats);
            case "redis-cluster" -> RedisWebhookQueue.cluster(lettuce, queue.clusterNodes(), queue.prefix(), nodeId,
                    queue.maxJobs(), TimeUnit.SECONDS.toMillis(queue.leaseSeconds()), queue.commandTimeoutMillis(), stats);
            case "none" -> null;
            default -> throw new IllegalArgumentException("queue.driver '" + queue.driver() + "' is not available");
        };
        if (jobs == null) {
            List<String> withWebhooks = config.appManager().apps().stream().filter(app -> !app.webhooks().isEmpty())
                    .map(App::id).toList();
            if (!withWebhooks.isEmpty()) {
                log.warn("queue.driver none: webhooks are off, so the webhooks of app(s) {} are never sent", withWebhooks);
            }
            return null;
        }
        return new Webhooks(apps, jobs, queue, settings, stats);
    }

    /** The one place a cache driver is chosen by name. */
    private ChannelCache createCache(HeraldConfig.CacheConfig cache) {
        return switch (cache.driver()) {
            case "memory" -> new MemoryChannelCache(cache.ttlSeconds(), cache.maxCapacity());
            case "redis" -> new RedisChannelCache(lettuce, cache.redisUrl(), cache.redisPrefix(), cache.ttlSeconds());
            case "none" -> new NoChannelCache();
            default -> throw new IllegalArgumentException("cache.driver '" + cache.driver() + "' is not available");
        };
    }

    /** The one place a rate limiter driver is chosen by name; null when {@code rate_limiter.enabled} is false. */
    private RateLimiter createRateLimiter(HeraldConfig.RateLimiterConfig limiter) {
        if (!limiter.enabled()) {
            return null;
        }
        return switch (limiter.driver()) {
            case "memory" -> new MemoryRateLimiter();
            case "redis" -> new RedisRateLimiter(lettuce, limiter.redisUrl(), limiter.redisPrefix());
            default -> throw new IllegalArgumentException("rate_limiter.driver '" + limiter.driver() + "' is not available");
        };
    }

    public static Herald start(HeraldConfig config) throws InterruptedException {
        Herald herald = new Herald(config);
        try {
            if (herald.webhooks != null) {
                herald.webhooks.start();
            }
            herald.adapter.start(herald.registry);
            herald.port = herald.server.bind();
        } catch (RuntimeException | InterruptedException e) {
            herald.stopParts();
            throw e;
        }
        log.info("Herald node {} listening on {}:{} ({}, adapter {}, {} app(s))", config.processId(), config.host(),
                herald.port, herald.loops.transportName(), herald.adapter.name(), config.appManager().apps().size());
        log.info("webhooks: {}", herald.webhooks == null ? "off (queue.driver none)" : "queue " + herald.webhooks.describe());
        HeraldConfig.RateLimiterConfig limits = config.rateLimiter();
        if (limits.enabled()) {
            log.info("rate limiter {}: {} API requests per {} s and {} WebSocket connections per {} s per client IP{}",
                    limits.driver(), limits.apiMaxRequests(), limits.apiWindowSeconds(), limits.websocketMaxRequests(),
                    limits.websocketWindowSeconds(), limits.trustForwardedFor() ? " (first X-Forwarded-For address)" : "");
        }
        return herald;
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
     * Graceful stop: {@code /up} answers 503, no new connections are accepted, every client gets
     * close code 4200 (reconnect now, to another node), and we wait for them at most
     * {@code shutdown_grace_period} seconds.
     */
    @Override
    public synchronized void close() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        int open = quota.total();
        log.info("shutting down: closing {} connection(s) with 4200, grace period {} s", open, config.shutdownGracePeriodSeconds());
        server.stopAccepting();
        registry.forEachConnection(connection -> connection.close(ErrorCodes.RECONNECT_NOW, "Server shutting down"));
        if (!quota.awaitNoConnections(TimeUnit.SECONDS.toMillis(config.shutdownGracePeriodSeconds()))) {
            log.warn("{} connection(s) still open after the grace period; closing them", quota.total());
        }
        stopParts();
        closed.complete(null);
        log.info("stopped");
    }

    private void stopParts() {
        adapter.close(); // before the webhooks: the facts it still holds are posted
        if (webhooks != null) {
            webhooks.close();
        }
        cache.close();
        rateLimits.close();
        apps.close();
        lettuce.close();
        loops.shutdown();
    }
}
