package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.http.ApiClient;
import io.herald.bench.http.FixedRatePublisher;
import io.herald.bench.http.Payloads;
import io.herald.bench.proc.CpuModes;
import io.herald.bench.proc.ProcStats;
import io.herald.bench.target.Processes;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One fixed-rate fan-out measurement over connected subscribers: warm-up publishes (negative
 * sequence numbers, not counted), then {@code rate x duration} measured publishes round-robin over
 * the channels, then a drain until every expected delivery arrived or deliveries stop coming.
 * Server CPU is read from /proc at the start of the measured window and after the drain.
 */
final class FanoutRunner {
    /** Stop draining when nothing new arrived for this long. */
    static final long DRAIN_STALL_MILLIS = 3_000;
    static final long DRAIN_MAX_MILLIS = 30_000;
    /**
     * The publisher "kept the rate" if 99% of publishes left within this of their intended time
     * (a publisher that falls further behind no longer offers the rate asked for).
     */
    static final double MAX_SEND_LAG_P99_MS = 1000;

    private final WorkerFleet fleet;
    private final ApiClient api;
    private final FixedRatePublisher publisher;
    private final int[] subscribersPerChannel;
    private final int channels;
    private final String prefix;
    private final List<Long> serverPids;
    private final List<Long> benchPids;

    FanoutRunner(WorkerFleet fleet, ApiClient api, String appId, Payloads payloads, int[] subscribersPerChannel,
                 String prefix, List<Long> serverPids, List<Long> benchPids) {
        this.fleet = fleet;
        this.api = api;
        this.publisher = new FixedRatePublisher(api, appId, payloads);
        this.subscribersPerChannel = subscribersPerChannel;
        this.channels = subscribersPerChannel.length;
        this.prefix = prefix;
        this.serverPids = serverPids;
        this.benchPids = benchPids;
    }

    ObjectNode step(double rate, double durationSeconds, double warmupSeconds) throws IOException {
        int warmupCount = (int) Math.round(rate * warmupSeconds);
        if (warmupCount > 0) {
            ScenarioCommand.progress(String.format("warm-up: %d publishes at %.1f/s", warmupCount, rate));
            publisher.run(warmupCount, rate, channels, prefix, true, System.nanoTime() + 20_000_000L, TimeUnit.SECONDS.toNanos(30));
            Processes.sleep(500);
        }
        fleet.reset();

        int count = Math.max(1, (int) Math.round(rate * durationSeconds));
        long expected = 0;
        for (int i = 0; i < count; i++) {
            expected += subscribersPerChannel[i % channels];
        }
        ScenarioCommand.progress(String.format("measuring: %d publishes at %.1f/s over %d channel(s), %d deliveries expected",
                count, rate, channels, expected));
        CpuModes modes = CpuModes.start(java.util.stream.Stream.concat(serverPids.stream(), benchPids.stream()).toList());
        ProcStats.Sample server0 = ProcStats.sample(serverPids);
        ProcStats.Sample bench0 = ProcStats.sample(benchPids);
        long start = System.nanoTime() + 20_000_000L;
        FixedRatePublisher.Run pub = publisher.run(count, rate, channels, prefix, false, start, TimeUnit.SECONDS.toNanos(30));
        long published = System.nanoTime();

        WorkerFleet.Drained drained = fleet.awaitDelivered(expected, DRAIN_STALL_MILLIS, DRAIN_MAX_MILLIS);
        ProcStats.Sample server1 = ProcStats.sample(serverPids);
        ProcStats.Sample bench1 = ProcStats.sample(benchPids);
        CpuModes.Samples modeSamples = modes.stop();
        WorkerFleet.Report report = fleet.report();

        // Deliveries per second over the time they took: the publishing window, or longer when the
        // server fell behind and deliveries went on after the last publish.
        double window = Math.max(durationSeconds, drained.lastDeliveryNanos() == 0 ? 0 : (drained.lastDeliveryNanos() - start) / 1e9);
        ObjectNode r = Json.object();
        r.put("rate", rate);
        r.put("publishes", count);
        r.put("publish_ok", pub.stats().ok);
        r.put("publish_errors", pub.stats().failed);
        if (pub.stats().failed > 0) {
            r.set("publish_errors_by_status", pub.stats().errorsJson());
            r.put("publish_first_error", pub.stats().firstError);
        }
        r.put("target_deliveries_per_s", Json.round3(rate * expected / (double) count));
        r.put("expected", expected);
        r.put("delivered", report.delivered());
        r.put("lost", Math.max(0, expected - report.delivered()));
        r.put("duplicates", report.duplicates());
        r.put("delivered_ratio", expected == 0 ? 1.0 : Json.round3(report.delivered() / (double) expected));
        r.set("latency_ms", ScenarioCommand.latencyMs(report.latencyMicros()));
        r.put("deliveries_per_s", Json.round3(report.delivered() / window));
        if (!serverPids.isEmpty()) {
            double cpu = ScenarioCommand.putCpu(r, "server", server0, server1, modeSamples, serverPids);
            r.put("deliveries_per_cpu_second", cpu > 0 ? Json.round3(report.delivered() / cpu) : null);
            r.put("server_cpu_utilization", Json.round3(cpu / ((server1.nanoTime() - server0.nanoTime()) / 1e9)));
            r.put("server_rss_kb", server1.rssKb());
            r.put("server_hwm_kb", server1.hwmKb());
        }
        ScenarioCommand.putCpu(r, "bench", bench0, bench1, modeSamples, benchPids);
        ScenarioCommand.putOtherCpu(r, server1.machineBusySince(server0), server1.cpuSince(server0), bench1.cpuSince(bench0),
                (server1.nanoTime() - server0.nanoTime()) / 1e9);
        r.put("window_s", Json.round3((server1.nanoTime() - server0.nanoTime()) / 1e9));
        r.put("drain_s", Json.round3((server1.nanoTime() - published) / 1e9));
        r.put("delivery_s", Json.round3(window));
        ObjectNode p = r.putObject("publisher");
        p.put("send_lag_p99_ms", ScenarioCommand.ms(pub.stats().sendLagMicros.getValueAtPercentile(99)));
        p.put("send_lag_max_ms", ScenarioCommand.ms(pub.stats().sendLagMicros.getMaxValue()));
        p.put("request_p50_ms", ScenarioCommand.ms(pub.stats().requestMicros.getValueAtPercentile(50)));
        p.put("request_p99_ms", ScenarioCommand.ms(pub.stats().requestMicros.getValueAtPercentile(99)));
        boolean kept = pub.finished() && pub.stats().sendLagMicros.getValueAtPercentile(99) / 1000.0 <= MAX_SEND_LAG_P99_MS;
        p.put("kept_rate", kept);
        p.put("finished", pub.finished());
        p.put("http_connections_reopened", api.reconnects());
        r.put("subscribers_dropped", report.closedAfterSubscribe());
        if (report.closeReasons().size() > 0) {
            r.set("close_reasons", report.closeReasons());
        }
        if (report.pusherErrors() > 0) {
            r.put("pusher_errors", report.pusherErrors());
        }
        if (report.unparsed() > 0) {
            r.put("unparsed_frames", report.unparsed());
        }
        if (drained.delivered() < expected) {
            ScenarioCommand.progress(String.format("%d of %d deliveries arrived", report.delivered(), expected));
        }
        return r;
    }
}
