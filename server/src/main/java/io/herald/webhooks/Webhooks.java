package io.herald.webhooks;

import io.herald.logs.EveryMinute;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.app.Webhook;
import io.herald.config.HeraldConfig;
import io.herald.events.ServerEvents;
import io.herald.transport.EventLoops;
import io.netty.channel.EventLoop;
import io.herald.wire.Jsons;
import io.herald.wire.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks, as a listener of the server's facts: each fact that an app's webhook wants (by
 * {@code event_types} and channel name filter) becomes a job in the {@link WebhookQueue}, and the
 * {@link WebhookSender} posts it. With {@code webhooks.batching}, one app's events for one webhook
 * within {@code duration} ms travel in one POST.
 *
 * <p>The callers (event loops, the cluster thread) only check that some webhook wants the fact and
 * hand it over; batching, queueing and sending (its HTTP I/O included) happen on this part's own
 * thread, a Netty event loop. At most {@link #MAX_PENDING_FACTS} facts and
 * {@link #MAX_PENDING_BYTES} bytes of them wait for that thread; more are dropped, counted and
 * logged, so a burst of client events cannot grow the heap.
 */
public final class Webhooks implements ServerEvents, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    static final int MAX_PENDING_FACTS = 100_000;
    static final long MAX_PENDING_BYTES = 64L << 20;
    /** What the memory queue may hold, in bytes (its number of jobs is queue.max_jobs). */
    public static final long MEMORY_QUEUE_BYTES = 256L << 20;
    /** At shutdown, requests in flight get this long to finish. */
    private static final long DRAIN_MILLIS = 5000;
    private static final List<String> CHANNEL_FACTS = List.of("channel_occupied", "channel_vacated", "member_added",
            "member_removed");
    private static final List<String> SUBSCRIPTION_COUNT = List.of("subscription_count");

    /** One webhook's events waiting for the end of their batching window. */
    private record BatchKey(String appId, String url, Map<String, String> headers) {}

    private final AppManager apps;
    private final WebhookQueue queue;
    private final HeraldConfig.WebhooksConfig settings;
    private final WebhookStats stats;
    private final EventLoops.Single loop;
    private final EventLoop thread;
    private final WebhookSender sender;
    private final AtomicInteger pendingFacts = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final EveryMinute dropWarnings = new EveryMinute();
    /** {@code thread} only. */
    private final Map<BatchKey, List<String>> batches = new HashMap<>();

    public Webhooks(AppManager apps, WebhookQueue queue, HeraldConfig.QueueConfig queueConfig,
                    HeraldConfig.WebhooksConfig settings, WebhookStats stats) {
        this.apps = apps;
        this.queue = queue;
        this.settings = settings;
        this.stats = stats;
        this.loop = EventLoops.single("herald-webhooks");
        this.thread = loop.loop();
        this.sender = new WebhookSender(queue, apps, new WebhookSender.Settings(queueConfig.concurrency(),
                settings.requestTimeoutMillis(), TimeUnit.SECONDS.toMillis(settings.retryWindowSeconds()),
                TimeUnit.SECONDS.toMillis(queueConfig.leaseSeconds())), stats, thread, loop.socketChannel());
    }

    public void start() {
        sender.start();
    }

    public WebhookStats stats() {
        return stats;
    }

    /** False while the queue's backend cannot be reached. */
    public boolean isHealthy() {
        return queue.isHealthy();
    }

    /** A round trip to the queue's backend within {@code timeout} (the health check). */
    public boolean probe(Duration timeout) {
        return queue.probe(timeout);
    }

    public String describe() {
        return queue.describe();
    }

    /** Jobs and facts that wait in this process: its part of the queue, and facts not yet queued. */
    public long waitingInProcess() {
        return queue.heldInProcess() + pendingFacts.get();
    }

    // --- facts ---

    @Override
    public boolean wantsChannelFacts(String appId) {
        return wantsAnyOf(appId, CHANNEL_FACTS);
    }

    @Override
    public boolean wantsSubscriptionCounts(String appId) {
        return wantsAnyOf(appId, SUBSCRIPTION_COUNT);
    }

    /** Asked on every subscribe and unsubscribe: a plain loop, no stream to allocate. */
    private boolean wantsAnyOf(String appId, List<String> events) {
        Optional<App> app = known(appId);
        if (app.isEmpty()) {
            return false;
        }
        for (Webhook webhook : app.get().webhooks()) {
            if (webhook.wantsAnyOf(events)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelOccupied(String appId, String channel) {
        emit(appId, "channel_occupied", channel, event -> { });
    }

    @Override
    public void channelVacated(String appId, String channel) {
        emit(appId, "channel_vacated", channel, event -> { });
    }

    @Override
    public void memberAdded(String appId, String channel, String userId) {
        emit(appId, "member_added", channel, event -> event.put("user_id", userId));
    }

    @Override
    public void memberRemoved(String appId, String channel, String userId) {
        emit(appId, "member_removed", channel, event -> event.put("user_id", userId));
    }

    @Override
    public void clientEvent(String appId, String channel, String event, String data, String socketId, String userId) {
        emit(appId, "client_event", channel, json -> {
            json.put("event", event);
            json.put("data", data);
            json.put("socket_id", socketId);
            if (userId != null) {
                json.put("user_id", userId);
            }
        });
    }

    @Override
    public void cacheMiss(String appId, String channel) {
        emit(appId, "cache_miss", channel, event -> { });
    }

    @Override
    public void subscriptionCount(String appId, String channel, int count) {
        emit(appId, "subscription_count", channel, event -> event.put("subscription_count", count));
    }

    /**
     * The app as this node holds it without waiting: facts come from connections of apps that were
     * just looked up (a channel's owner may hold none of its connections: see {@link #emit}).
     */
    private Optional<App> known(String appId) {
        return apps.lastKnown(appId);
    }

    /**
     * Hands a fact to the webhooks thread when some webhook of the app wants it. An app this node
     * has not read yet (an owner node without connections of it, with apps in a database) is looked
     * up first, off the caller's thread.
     */
    private void emit(String appId, String name, String channel, Consumer<ObjectNode> fields) {
        Optional<App> found = known(appId);
        if (found.isPresent()) {
            emit(found.get(), name, channel, fields);
        } else {
            apps.findById(appId).thenAccept(app -> app.ifPresent(a -> emit(a, name, channel, fields)));
        }
    }

    private void emit(App app, String name, String channel, Consumer<ObjectNode> fields) {
        String appId = app.id();
        List<Webhook> wanting = null;
        for (Webhook webhook : app.webhooks()) {
            if (webhook.wants(name, channel)) {
                if (wanting == null) {
                    wanting = new ArrayList<>(1);
                }
                wanting.add(webhook);
            }
        }
        if (wanting == null) {
            return;
        }
        ObjectNode event = Jsons.MAPPER.createObjectNode().put("name", name).put("channel", channel);
        fields.accept(event);
        String json = event.toString();
        if (pendingFacts.incrementAndGet() > MAX_PENDING_FACTS || pendingBytes.addAndGet(json.length()) > MAX_PENDING_BYTES) {
            pendingFacts.decrementAndGet();
            pendingBytes.addAndGet(-json.length());
            dropped(appId, name, channel, "more than " + MAX_PENDING_FACTS + " facts or " + (MAX_PENDING_BYTES >> 20)
                    + " MiB wait to be queued");
            return;
        }
        List<Webhook> targets = wanting;
        thread.execute(() -> {
            pendingFacts.decrementAndGet();
            pendingBytes.addAndGet(-json.length());
            for (Webhook webhook : targets) {
                enqueue(new BatchKey(appId, webhook.url(), webhook.headers()), json);
            }
        });
    }

    private void enqueue(BatchKey key, String event) {
        if (!settings.batching()) {
            add(key, List.of(event));
            return;
        }
        List<String> batch = batches.get(key);
        if (batch == null) {
            batch = new ArrayList<>();
            batches.put(key, batch);
            thread.schedule(() -> flush(key), settings.batchingDurationMillis(), TimeUnit.MILLISECONDS);
        }
        batch.add(event);
        if (batch.size() >= settings.batchingSize()) {
            flush(key);
        }
    }

    private void flush(BatchKey key) {
        List<String> batch = batches.remove(key);
        if (batch != null) {
            add(key, batch);
        }
    }

    private void add(BatchKey key, List<String> events) {
        WebhookJob job = new WebhookJob(UUID.randomUUID().toString(), key.appId(), key.url(), key.headers(), events,
                System.currentTimeMillis(), 0);
        if (queue.add(job)) {
            stats.queued.incrementAndGet();
        } else {
            dropped(key.appId(), events.size() + " event(s)", key.url(), "the queue (" + queue.describe() + ") is full");
        }
    }

    private void dropped(String appId, String what, String where, String why) {
        stats.dropped.incrementAndGet();
        long held = dropWarnings.due(this);
        if (held >= 0) {
            long drops = held + 1;
            log.warn("webhooks: dropped {} of app {} for {}: {}; {} webhook(s) dropped since the last warning",
                    what, appId, Secrets.mask(where), why, drops);
        }
    }

    /**
     * Sends what is batched, lets the requests in flight finish (for a bounded time), and stops. Jobs
     * not sent stay in a durable queue; the memory queue's are lost, counted and logged.
     */
    @Override
    public void close() {
        try {
            thread.submit(() -> List.copyOf(batches.keySet()).forEach(this::flush)).get();
            int inFlight = sender.close(DRAIN_MILLIS);
            long lost = queue.heldInProcess();
            if (lost > 0) {
                stats.dropped.addAndGet(lost);
                log.warn("webhooks: {} job(s) lost at shutdown: they were kept only in this process ({})",
                        lost, queue.describe());
            }
            if (inFlight > 0) {
                log.warn("webhooks: stopped with {} request(s) still in flight", inFlight);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("webhooks: could not flush the batches at shutdown: {}", e.getCause().toString());
        } finally {
            loop.shutdown();
            queue.close();
        }
    }
}
