package io.herald.metrics;

import io.herald.api.Health;
import io.herald.cluster.Adapter;
import io.herald.webhooks.WebhookStats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The series of the node rather than of an app: what it is ({@code target_info}), the JVM and the
 * process (heap, GC pauses, CPU, open file descriptors against the limit), Netty's pooled memory,
 * the cluster as this node sees it, and its webhooks. Herald's own names start with the prefix;
 * the standard binders keep Micrometer's names ({@code jvm_*}, {@code process_*}, {@code netty_*}).
 */
public final class NodeMeters {
    private NodeMeters() {}

    /** {@code target_info{process_id, version}} 1, so that a fleet's series can be told apart and summed. */
    public static void bindNode(PrometheusMetrics metrics, String processId, String version) {
        Gauge.builder("target_info", () -> 1).tags(metrics.tags("process_id", processId, "version", version))
                .description("This node: its instance.process_id and Herald's version").register(metrics.registry());
        MeterRegistry registry = metrics.registry();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    /** Live nodes, how long ago the least recently heard one was heard. */
    public static void bindCluster(PrometheusMetrics metrics, Adapter adapter) {
        gauge(metrics, "cluster_nodes", "Nodes this node hears from, itself included", adapter, Adapter::liveNodes);
        gauge(metrics, "cluster_heartbeat_age_seconds", "Seconds since the least recently heard other node was heard",
                adapter, a -> a.oldestHeartbeatAgeMillis() / 1000.0);
    }

    /**
     * Per backend (adapter, app_manager, cache, queue, rate_limiter, app_limits): whether it is up
     * now, and how long the health check's last round trip to it took (Redis PING, NATS PING, the
     * database's isValid): the backends' latency, every {@code health_check.interval}.
     */
    public static void bindHealth(PrometheusMetrics metrics, Health health) {
        for (Health.Check check : health.checks()) {
            Gauge.builder(metrics.name("backend_up"), check, c -> c.connected().getAsBoolean() ? 1 : 0)
                    .tags(metrics.tags("backend", check.name())).description("1 while the backend's connection is up")
                    .register(metrics.registry());
            Gauge.builder(metrics.name("backend_probe_seconds"), health, h -> h.lastProbeSeconds(check.name()))
                    .tags(metrics.tags("backend", check.name()))
                    .description("Seconds the health check's last round trip to the backend took").register(metrics.registry());
        }
    }

    /** What this node's webhooks did, how many wait in this process, and how long deliveries took. */
    public static void bindWebhooks(PrometheusMetrics metrics, WebhookStats stats, LongSupplier waitingInProcess) {
        MeterRegistry registry = metrics.registry();
        count(metrics, "webhooks_queued_total", "Webhook jobs this node queued", stats, WebhookStats::queued);
        count(metrics, "webhooks_sent_total", "Webhook jobs delivered (a 2xx answer)", stats, WebhookStats::sent);
        count(metrics, "webhooks_failed_total", "Webhook jobs refused for good by their endpoint (4xx)", stats, WebhookStats::failed);
        count(metrics, "webhooks_retried_total", "Webhook tries that failed and were put back", stats, WebhookStats::retried);
        count(metrics, "webhooks_dropped_total", "Webhook jobs given up (queue full, retry window over, app gone)",
                stats, WebhookStats::dropped);
        Gauge.builder(metrics.name("webhook_queue_depth"), waitingInProcess, s -> s.getAsLong()).tags(metrics.tags())
                .description("Webhook jobs and facts waiting in this process (a redis queue's jobs in Redis are not counted)")
                .register(registry);
        DistributionSummary latency = DistributionSummary.builder(metrics.name("webhook_delivery_latency_ms")).tags(metrics.tags())
                .description("Milliseconds from a webhook's creation to its endpoint's 2xx answer")
                .serviceLevelObjectives(PrometheusMetrics.END_TO_END_BUCKETS_MS).register(registry);
        stats.onDelivered(latency::record);
    }

    private static <T> void gauge(PrometheusMetrics metrics, String name, String help, T source, ToDoubleFunction<T> value) {
        Gauge.builder(metrics.name(name), source, value).tags(metrics.tags()).description(help).register(metrics.registry());
    }

    private static <T> void count(PrometheusMetrics metrics, String name, String help, T source, ToDoubleFunction<T> value) {
        FunctionCounter.builder(metrics.name(name), source, value).tags(metrics.tags()).description(help).register(metrics.registry());
    }
}
