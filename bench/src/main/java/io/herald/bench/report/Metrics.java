package io.herald.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The figures of each scenario that the ratio line and the report show, in display order. */
public final class Metrics {
    private Metrics() {}

    /**
     * @param path dotted path in the result line
     * @param higherIsBetter direction, for reading the ratio
     * @param ratio whether a Herald/soketi ratio is meaningful (not for counts like "subscribed")
     */
    public record Metric(String label, String path, boolean higherIsBetter, boolean ratio) {}

    private static Metric better(String label, String path) {
        return new Metric(label, path, true, true);
    }

    private static Metric lower(String label, String path) {
        return new Metric(label, path, false, true);
    }

    private static Metric info(String label, String path) {
        return new Metric(label, path, true, false);
    }

    private static final List<Metric> LATENCY = List.of(
            lower("latency p50 (ms)", "latency_ms.p50"), lower("latency p90 (ms)", "latency_ms.p90"),
            lower("latency p99 (ms)", "latency_ms.p99"), lower("latency p99.9 (ms)", "latency_ms.p99_9"),
            lower("latency max (ms)", "latency_ms.max"));

    public static List<Metric> forResult(JsonNode line) {
        String scenario = line.path("scenario").asText();
        boolean sweep = line.path("params").path("sweep").asBoolean(false);
        List<Metric> list = new ArrayList<>();
        switch (scenario) {
            case "idle" -> {
                list.add(info("connections subscribed", "subscribed"));
                list.add(better("connect rate (conn/s)", "connect_rate"));
                list.add(info("server RSS before (KB)", "server_rss_before_kb"));
                list.add(info("server RSS after (KB)", "server_rss_after_kb"));
                list.add(lower("KB per connection", "kb_per_connection"));
                list.add(lower("server CPU while connecting (s)", "server_cpu_s_connect"));
            }
            case "fanout" -> {
                if (sweep) {
                    list.add(better("saturation deliveries/s", "saturation_deliveries_per_s"));
                    list.add(better("saturation publishes/s", "saturation_rate"));
                    list.add(info("first failing publishes/s", "first_failing_rate"));
                } else {
                    list.add(info("expected deliveries", "expected"));
                    list.add(info("delivered", "delivered"));
                    list.add(lower("lost", "lost"));
                    list.add(better("deliveries/s", "deliveries_per_s"));
                    list.add(lower("server CPU (s)", "server_cpu_s"));
                    list.add(lower("server user CPU (s)", "server_user_cpu_s"));
                    list.add(lower("server system CPU (s)", "server_system_cpu_s"));
                    list.add(better("deliveries per server CPU-second", "deliveries_per_cpu_second"));
                    list.add(info("load generator CPU (s)", "bench_cpu_s"));
                    list.addAll(LATENCY);
                    list.add(lower("server RSS (KB)", "server_rss_kb"));
                }
            }
            case "publish" -> {
                list.add(better("requests/s", "requests_per_s"));
                list.add(better("events/s", "events_per_s"));
                list.add(better("requests per server CPU-second", "requests_per_cpu_second"));
                list.add(lower("request latency p50 (ms)", "http_latency_ms.p50"));
                list.add(lower("request latency p99 (ms)", "http_latency_ms.p99"));
                list.add(lower("request latency max (ms)", "http_latency_ms.max"));
                list.add(lower("failed requests", "http_failed"));
                if (line.path("params").path("subscribers").asInt() > 0) {
                    list.add(info("expected deliveries", "expected"));
                    list.add(lower("lost", "lost"));
                    list.add(lower("delivery latency p50 (ms)", "latency_ms.p50"));
                    list.add(lower("delivery latency p99 (ms)", "latency_ms.p99"));
                }
            }
            case "cluster" -> {
                list.add(lower("latency p50 through the adapter (ms)", "latency_ms.p50"));
                list.add(lower("latency p99 through the adapter (ms)", "latency_ms.p99"));
                list.add(lower("latency p50 single node (ms)", "single_node.latency_ms.p50"));
                list.add(lower("extra p50 (ms)", "extra_p50_ms"));
                list.add(lower("extra p99 (ms)", "extra_p99_ms"));
                list.add(lower("lost", "lost"));
                list.add(better("deliveries per server CPU-second", "deliveries_per_cpu_second"));
            }
            case "webhooks" -> {
                list.add(info("client events sent", "sent"));
                list.add(info("webhooks expected", "expected"));
                list.add(lower("webhooks lost", "lost"));
                list.add(lower("webhooks twice", "duplicates"));
                list.add(better("webhooks/s", "webhooks_per_s"));
                list.add(info("POSTs in the measured window", "posts"));
                list.add(lower("server CPU (s)", "server_cpu_s"));
                list.add(lower("server user CPU (s)", "server_user_cpu_s"));
                list.add(lower("server system CPU (s)", "server_system_cpu_s"));
                list.add(better("webhooks per server CPU-second", "webhooks_per_cpu_second"));
                list.add(info("load generator and receiver CPU (s)", "bench_cpu_s"));
                list.add(lower("event to webhook p50 (ms)", "latency_ms.p50"));
                list.add(lower("event to webhook p99 (ms)", "latency_ms.p99"));
                list.add(lower("event to webhook max (ms)", "latency_ms.max"));
            }
            case "soak" -> {
                list.add(info("deliveries expected", "expected"));
                list.add(new Metric("lost", "lost", false, false));
                list.add(new Metric("doubled", "duplicates", false, false));
                list.add(info("heap after GC, last (KB)", "series.heap_after_gc_kb.last"));
                list.add(lower("RSS, last (KB)", "series.rss_kb.last"));
                list.add(info("RSS slope per hour (KB)", "series.rss_kb.slope_per_hour"));
                list.add(info("open files, last", "series.fds.last"));
                list.add(lower("server CPU (s)", "server_cpu_s"));
                list.add(lower("delivery latency p99 (ms)", "latency_ms.p99"));
            }
            default -> { }
        }
        return list;
    }

    /** The number at a dotted path, or null. */
    public static Double value(JsonNode node, String path) {
        JsonNode n = node;
        for (String part : path.split("\\.")) {
            n = n.path(part);
        }
        return n.isNumber() ? n.asDouble() : null;
    }
}
