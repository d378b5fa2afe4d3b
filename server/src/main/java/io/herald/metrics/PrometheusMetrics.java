package io.herald.metrics;

import io.herald.channel.AppTraffic;
import io.herald.events.ServerEvents;
import io.herald.wire.ChannelType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Prometheus metrics under Sockudo's series names and labels, so that dashboards and alerts
 * written for Sockudo work unchanged: every name starts with {@code metrics.prometheus.prefix}
 * ({@code sockudo_}) and every per-app series carries {@code app_id} and {@code port}. Labels
 * never take a client's input: an unknown app key counts as {@code app_id="unknown"}, channels
 * only by their type.
 *
 * <p>A listener of the server's facts ({@link ServerEvents}); WebSocket message and byte counts
 * are read from the loops' own counters at scrape time ({@code traffic}), so that a delivery costs
 * no metrics call. Micrometer names a counter {@code X_total}; Sockudo's counters without that
 * suffix ({@link #UNSUFFIXED_COUNTERS}) are exported under their exact names, and so is
 * {@code target_info} (Micrometer would drop its {@code _info}).
 */
public final class PrometheusMetrics implements ServerEvents {
    /** Sockudo's buckets for end-to-end times, in milliseconds. */
    static final double[] END_TO_END_BUCKETS_MS = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
    /** Sockudo's buckets for internal operations (cluster requests), in milliseconds. */
    static final double[] INTERNAL_BUCKETS_MS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Sockudo's counters whose names do not end in _total. */
    static final List<String> UNSUFFIXED_COUNTERS = List.of("socket_received_bytes", "socket_transmitted_bytes",
            "http_received_bytes", "http_transmitted_bytes", "horizontal_adapter_resolved_promises",
            "horizontal_adapter_uncomplete_promises", "horizontal_adapter_sent_requests",
            "horizontal_adapter_received_requests", "horizontal_adapter_received_responses");
    static final List<String> CHANNEL_TYPES = List.of("public", "private", "presence", "private_encrypted", "cache");
    static final List<String> RECIPIENT_BUCKETS = List.of("xs", "sm", "md", "lg", "xl");
    static final String UNKNOWN_APP = "unknown";
    /** The label of limits counted per client IP, which belong to no app. */
    static final String NO_APP = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String prefix;
    private volatile Supplier<Map<String, AppTraffic.Totals>> traffic = Map::of;
    private volatile Map<String, AppTraffic.Totals> lastTraffic = Map.of();
    private final Map<String, AppMeters> apps = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> activeChannels = new ConcurrentHashMap<>();
    private volatile String port = "0";

    /** The counters of one app, made on its first fact. */
    private final class AppMeters {
        final AtomicInteger connected = new AtomicInteger();
        final Counter newConnections;
        final Counter disconnections;
        final Counter httpCalls;
        final Counter httpReceivedBytes;
        final Counter httpTransmittedBytes;
        /** broadcast_latency_ms by channel type and recipient bucket, made on first use (a publish costs no lookup). */
        final DistributionSummary[][] broadcasts = new DistributionSummary[CHANNEL_TYPES.size()][RECIPIENT_BUCKETS.size()];
        final String appId;

        AppMeters(String appId) {
            this.appId = appId;
            Tags app = tags("app_id", appId);
            Gauge.builder(name("connected"), connected, AtomicInteger::get).tags(app)
                    .description("WebSocket connections open on this node").register(registry);
            newConnections = counter("new_connections_total", "WebSocket connections opened", app);
            disconnections = counter("new_disconnections_total", "WebSocket connections closed", app);
            httpCalls = counter("http_calls_received_total", "HTTP API calls answered", app);
            httpReceivedBytes = counter("http_received_bytes", "HTTP API request body bytes", app);
            httpTransmittedBytes = counter("http_transmitted_bytes", "HTTP API response body bytes", app);
            traffic(appId, app, "ws_messages_sent_total", "WebSocket messages sent", AppTraffic.Totals::messagesSent);
            traffic(appId, app, "socket_transmitted_bytes", "WebSocket bytes sent", AppTraffic.Totals::bytesSent);
            traffic(appId, app, "ws_messages_received_total", "WebSocket messages received", AppTraffic.Totals::messagesReceived);
            traffic(appId, app, "socket_received_bytes", "WebSocket bytes received", AppTraffic.Totals::bytesReceived);
            // Made with the app, so that a dashboard's timeout panel shows 0 rather than nothing.
            clusterRequestResolved(appId, true, -1);
            clusterRequestResolved(appId, false, -1);
        }

        DistributionSummary broadcast(int type, int bucket) {
            DistributionSummary summary = broadcasts[type][bucket];
            if (summary == null) {
                summary = histogram("broadcast_latency_ms", "Milliseconds from a publish reaching this node to its last local delivery",
                        END_TO_END_BUCKETS_MS, "app_id", appId, "channel_type", CHANNEL_TYPES.get(type),
                        "recipient_count_bucket", RECIPIENT_BUCKETS.get(bucket));
                broadcasts[type][bucket] = summary; // racing loops register the same summary: Micrometer returns it
            }
            return summary;
        }

        private void traffic(String appId, Tags app, String metric, String help, Function<AppTraffic.Totals, Long> field) {
            FunctionCounter.builder(name(metric), this, meters -> {
                AppTraffic.Totals now = lastTraffic.get(appId);
                return now == null ? 0 : field.apply(now);
            }).tags(app).description(help).register(registry);
        }
    }

    /** @param prefix {@code metrics.prometheus.prefix} */
    public PrometheusMetrics(String prefix) {
        this.prefix = prefix;
    }

    /** Where the loops' WebSocket message and byte counts per app are read, at each scrape. */
    public void countTrafficOf(Supplier<Map<String, AppTraffic.Totals>> source) {
        this.traffic = source;
    }

    /** The registry, for the JVM, process, pool and driver binders. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * The port every series of Herald's own carries as {@code port} (Sockudo's label): the listening
     * port, known once it is bound. Call before the first connection or request.
     */
    public void listeningOn(int port) {
        this.port = Integer.toString(port);
    }

    /** {@code tags} and {@code port}. */
    Tags tags(String... tags) {
        return Tags.of(tags).and("port", port);
    }

    /** The series name with the configured prefix. */
    public String name(String metric) {
        return prefix + metric;
    }

    /** The Prometheus text exposition of every series. */
    public String scrape() {
        Map<String, AppTraffic.Totals> now = traffic.get();
        now.keySet().forEach(this::app); // apps whose clients only exchanged messages so far
        lastTraffic = now;
        String text = registry.scrape();
        for (String metric : UNSUFFIXED_COUNTERS) {
            text = text.replace(prefix + metric + "_total", prefix + metric);
        }
        // Micrometer drops the _info of target_info (the Prometheus client keeps that suffix for its own kind).
        return text.replace("# HELP target ", "# HELP target_info ").replace("# TYPE target ", "# TYPE target_info ")
                .replace("\ntarget{", "\ntarget_info{");
    }

    private AppMeters app(String appId) {
        AppMeters meters = apps.get(appId);
        return meters != null ? meters : apps.computeIfAbsent(appId, AppMeters::new);
    }

    private Counter counter(String metric, String help, Tags tags) {
        return Counter.builder(name(metric)).tags(tags).description(help).register(registry);
    }

    /** A counter made on first use, for label combinations that are few but not known up front. */
    private Counter counter(String metric, String help, String... tags) {
        String key = metric + String.join("\u0000", tags);
        Counter counter = counters.get(key);
        return counter != null ? counter : counters.computeIfAbsent(key, k -> counter(metric, help, tags(tags)));
    }

    private DistributionSummary histogram(String metric, String help, double[] buckets, String... tags) {
        String key = metric + String.join("\u0000", tags);
        DistributionSummary summary = summaries.get(key);
        return summary != null ? summary : summaries.computeIfAbsent(key, k -> DistributionSummary.builder(name(metric))
                .tags(tags(tags)).description(help).serviceLevelObjectives(buckets).register(registry));
    }

    /** Sockudo's channel types: public, private, presence, private_encrypted, cache (an index into {@link #CHANNEL_TYPES}). */
    static int channelTypeIndex(String channel) {
        if (ChannelType.isCache(channel)) {
            return 4;
        }
        if (channel.startsWith("private-encrypted-")) {
            return 3;
        }
        if (channel.startsWith("presence-")) {
            return 2;
        }
        return channel.startsWith("private-") ? 1 : 0;
    }

    static String channelType(String channel) {
        return CHANNEL_TYPES.get(channelTypeIndex(channel));
    }

    /** Sockudo's recipient_count_bucket (an index into {@link #RECIPIENT_BUCKETS}). */
    static int recipientBucket(int recipients) {
        return recipients <= 10 ? 0 : recipients <= 100 ? 1 : recipients <= 1000 ? 2 : recipients <= 10_000 ? 3 : 4;
    }

    private static String appLabel(String appId) {
        return appId == null ? NO_APP : appId;
    }

    // --- facts ---

    @Override
    public void connectionOpened(String appId) {
        AppMeters meters = app(appId);
        meters.connected.incrementAndGet();
        meters.newConnections.increment();
    }

    @Override
    public void connectionClosed(String appId) {
        AppMeters meters = app(appId);
        meters.connected.decrementAndGet();
        meters.disconnections.increment();
    }

    @Override
    public void connectionRefused(String appId, String reason) {
        counter("connection_errors_total", "WebSocket connections refused or failed, by reason",
                "app_id", appId == null ? UNKNOWN_APP : appId, "error_type", reason).increment();
    }

    @Override
    public void subscribed(String appId, String channel) {
        counter("channel_subscriptions_total", "Channel subscriptions", "app_id", appId, "channel_type", channelType(channel))
                .increment();
    }

    @Override
    public void unsubscribed(String appId, String channel) {
        counter("channel_unsubscriptions_total", "Channel unsubscriptions (closed connections included)",
                "app_id", appId, "channel_type", channelType(channel)).increment();
    }

    @Override
    public void channelActiveHere(String appId, String channel) {
        active(appId, channelType(channel)).incrementAndGet();
    }

    @Override
    public void channelInactiveHere(String appId, String channel) {
        active(appId, channelType(channel)).decrementAndGet();
    }

    private AtomicInteger active(String appId, String type) {
        return activeChannels.computeIfAbsent(appId + "\u0000" + type, key -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder(name("active_channels"), count, AtomicInteger::get).tags(tags("app_id", appId, "channel_type", type))
                    .description("Channels with a subscriber on this node").register(registry);
            return count;
        });
    }

    @Override
    public void broadcast(String appId, String channel, int recipients, long nanos) {
        app(appId).broadcast(channelTypeIndex(channel), recipientBucket(recipients)).record(nanos / 1e6);
    }

    @Override
    public void apiCall(String appId, long requestBytes, long responseBytes) {
        AppMeters meters = app(appId);
        meters.httpCalls.increment();
        meters.httpReceivedBytes.increment(requestBytes);
        meters.httpTransmittedBytes.increment(responseBytes);
    }

    @Override
    public void rateLimitChecked(String appId, String limiter, boolean refused) {
        String context = limiter.equals("websocket") || limiter.equals("client_events") ? "websocket" : "api";
        counter("rate_limit_checks_total", "Rate limit checks", "app_id", appLabel(appId), "limiter_type", limiter,
                "request_context", context).increment();
        if (refused) {
            counter("rate_limit_triggered_total", "Rate limit checks that refused", "app_id", appLabel(appId),
                    "limiter_type", limiter, "request_context", context).increment();
        }
    }

    @Override
    public void clusterRequestSent(String appId) {
        counter("horizontal_adapter_sent_requests", "Queries this node sent to the other nodes", "app_id", appId).increment();
    }

    @Override
    public void clusterRequestReceived(String appId) {
        counter("horizontal_adapter_received_requests", "Queries other nodes sent to this one", "app_id", appId).increment();
    }

    @Override
    public void clusterResponseReceived(String appId) {
        counter("horizontal_adapter_received_responses", "Answers to this node's queries", "app_id", appId).increment();
    }

    /** {@code nanos} negative: only make the series (see {@link AppMeters}). */
    @Override
    public void clusterRequestResolved(String appId, boolean complete, long nanos) {
        Counter counter = complete
                ? counter("horizontal_adapter_resolved_promises", "Queries every node answered", "app_id", appId)
                : counter("horizontal_adapter_uncomplete_promises", "Queries ended by the timeout or a node leaving", "app_id", appId);
        DistributionSummary time = histogram("horizontal_adapter_resolve_time", "Milliseconds a cluster query took",
                INTERNAL_BUCKETS_MS, "app_id", appId);
        if (nanos >= 0) {
            counter.increment();
            time.record(nanos / 1e6);
        }
    }

    @Override
    public void presenceResynced() {
        counter("cluster_presence_resyncs_total", "Full presence syncs received from other nodes").increment();
    }
}
