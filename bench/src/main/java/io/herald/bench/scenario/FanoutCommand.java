package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.http.ApiClient;
import io.herald.bench.http.FixedRatePublisher;
import io.herald.bench.http.Payloads;
import io.herald.bench.http.WebhookSink;
import io.herald.bench.target.HeraldLauncher;
import io.herald.bench.target.LimitLauncher;
import io.herald.bench.target.RunningServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fanout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fan-out: S subscribers over C channels, R publishes/s through the HTTP API.",
                "%nSubscriber g joins public channel g %% C; publishes go round-robin over the channels at a fixed rate, each "
                        + "carrying its intended send time. Reports delivered/expected/lost, publish-to-delivery latency, "
                        + "deliveries/s and deliveries per server CPU-second. --sweep raises R (1-2-5 steps) until "
                        + "delivered/expected < 0.99, p99 > 1 s or the publisher cannot keep the rate, and reports the highest "
                        + "deliveries/s that passed."})
public final class FanoutCommand extends ScenarioCommand {
    @Option(names = "--subscribers", defaultValue = "1000", description = "Subscribed connections (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--channels", defaultValue = "10", description = "Channels; subscriber g joins channel g %% C (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--rate", defaultValue = "20", description = "Publishes per second; with --sweep, the first step (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "15", description = "Measured seconds (per step with --sweep) (default: ${DEFAULT-VALUE}).")
    double duration;

    /** Seconds of fan-out that warm the subscriber processes up in a cold run, before the server is measured. */
    private static final int WORKER_WARM_UP_SECONDS = 5;

    /** Publishes that warm the bench's own publisher up before the first target, over two seconds. */
    private static final int PUBLISHER_WARM_UP = 4_000;

    @Option(names = "--warmup", defaultValue = "3", description = "Seconds of unmeasured publishing first (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--sweep", description = "Find the saturation point.")
    boolean sweep;

    @Option(names = "--max-rate", defaultValue = "5000", description = "Sweep: highest publishes/s tried (default: ${DEFAULT-VALUE}).")
    double maxRate;

    @Option(names = "--sweep-rates", split = ",", paramLabel = "R", description = "Sweep: these rates instead of the 1-2-5 steps.")
    List<Double> sweepRates;

    @Option(names = "--max-p99-ms", defaultValue = "1000", description = "Sweep: a step fails above this p99 latency (default: ${DEFAULT-VALUE}).")
    double maxP99Ms;

    @Option(names = "--webhooks", defaultValue = "off", paramLabel = "off|on|compare",
            description = "on: the app has a webhook for every event kind, posting to a receiver in the bench; compare: each "
                    + "target twice in the same run, without and then with (reported as TARGET+webhooks) (default: ${DEFAULT-VALUE}).")
    String webhooks;

    @Option(names = "--metrics", defaultValue = "off", paramLabel = "off|compare",
            description = "compare: Herald twice in the same run, with Prometheus metrics off and then on (reported as "
                    + "herald+metrics); metrics are off in every other Herald run (default: ${DEFAULT-VALUE}).")
    String metrics;

    @Option(names = "--limit",
            description = "Also measure the loopback limit, last in the same run: the bench's minimal Netty writer "
                    + "(LoopbackLimitServer) under the same load, with Herald's JDK and JVM options (reported as limit).")
    boolean limit;

    private WebhookSink sink;

    @Option(names = "--refine", defaultValue = "2",
            description = "Sweep: after the first failing step, this many more steps halve the gap (geometric midpoint) "
                    + "between the highest passing and the lowest failing rate (default: ${DEFAULT-VALUE}).")
    int refine;

    @Override
    protected String scenario() {
        return "fanout";
    }

    @Override
    protected void validate() {
        checkServerConnections(subscribers);
        if (subscribers < 1 || channels < 1 || rate <= 0 || duration <= 0 || warmup < 0) {
            throw new IllegalArgumentException("fanout needs --subscribers >= 1, --channels >= 1, --rate > 0, --duration > 0, --warmup >= 0");
        }
        if (!List.of("off", "on", "compare").contains(webhooks)) {
            throw new IllegalArgumentException("--webhooks must be off, on or compare, not '" + webhooks + "'");
        }
        if (!List.of("off", "compare").contains(metrics)) {
            throw new IllegalArgumentException("--metrics must be off or compare, not '" + metrics + "'");
        }
    }

    @Override
    protected List<String> targetNames() {
        List<String> names = new ArrayList<>();
        for (String name : target.targets()) {
            if (!webhooks.equals("on")) {
                names.add(name);
            }
            if (!webhooks.equals("off")) {
                names.add(name + "+webhooks");
            }
            if (metrics.equals("compare") && name.startsWith("herald")) {
                names.add(name + "+metrics");
            }
        }
        if (limit) {
            names.add("limit");
        }
        return names;
    }

    @Override
    protected void prepare() throws Exception {
        if (!webhooks.equals("off")) {
            sink = ctx.track(new WebhookSink());
        }
        warmPublisher();
    }

    /**
     * The publisher runs in this process, so whichever target comes first would also carry its JIT
     * warm-up: in cold runs (--warmup 0) the first target's p99 was the publisher's send lag. It
     * publishes {@link #PUBLISHER_WARM_UP} events to a local sink that answers 200 first.
     */
    private void warmPublisher() throws Exception {
        progress("warming up the bench's publisher: " + PUBLISHER_WARM_UP + " publishes to a local sink");
        try (WebhookSink publishSink = new WebhookSink();
             ApiClient api = new ApiClient("127.0.0.1", publishSink.port(), target.appKey, target.appSecret,
                     run.httpConnections).open()) {
            new FixedRatePublisher(api, target.appId, new Payloads(run.payloadBytes)).run(PUBLISHER_WARM_UP,
                    PUBLISHER_WARM_UP / 2.0, channels, run.channelPrefix, true, System.nanoTime(), TimeUnit.SECONDS.toNanos(10));
        }
    }

    /** A target named ...+webhooks gets a webhook for every event kind its server has; herald+metrics serves /metrics. */
    @Override
    protected Map<String, String> serverEnv(String name) {
        if (name.endsWith("+metrics")) {
            return Map.of("METRICS_ENABLED", "true");
        }
        if (!name.endsWith("+webhooks")) {
            return Map.of();
        }
        if (name.startsWith("herald")) {
            return Map.of("SOCKUDO_DEFAULT_APP_ID", target.appId, "SOCKUDO_DEFAULT_APP_KEY", target.appKey,
                    "SOCKUDO_DEFAULT_APP_SECRET", target.appSecret, "SOCKUDO_DEFAULT_APP_WEBHOOKS", "[{\"url\":\""
                            + sink.url("/hooks") + "\",\"event_types\":[\"channel_occupied\",\"channel_vacated\",\"member_added\","
                            + "\"member_removed\",\"client_event\",\"cache_miss\",\"subscription_count\"]}]");
        }
        return Map.of("SOKETI_DEFAULT_APP_WEBHOOKS", "[{\"url\":\"" + sink.url("/hooks") + "\",\"event_types\":["
                + "\"channel_occupied\",\"channel_vacated\",\"member_added\",\"member_removed\",\"client_event\",\"cache_miss\"]}]");
    }

    /**
     * A cold run (--warmup 0) is about a just-started server, but the subscriber processes start
     * with each target too, and a fresh worker JVM reading 20,000 messages/s runs interpreted at
     * first: its lag showed as the p99 of every server. The workers first read
     * {@link #WORKER_WARM_UP_SECONDS} of the same fan-out from a loopback limit server started for
     * this, then disconnect, so that the run's figures are the server's.
     */
    private void warmWorkers(WorkerFleet fleet) throws Exception {
        progress("warming up the subscriber processes: " + WORKER_WARM_UP_SECONDS + " s of this fan-out from a loopback limit server");
        try (RunningServer limitServer = new LimitLauncher(target.heraldLauncher(), HeraldLauncher.javaFor(target.jdk)).start();
             ApiClient api = new ApiClient(limitServer.host(), limitServer.port(), target.appKey, target.appSecret,
                     run.httpConnections).open()) {
            fleet.connect(List.of(limitServer.webSocketUri(target.appKey)), subscribers, channels, run.channelPrefix,
                    run.connectConcurrency, run.connectTimeoutSeconds * 1000L);
            new FixedRatePublisher(api, target.appId, new Payloads(run.payloadBytes)).run((int) (rate * WORKER_WARM_UP_SECONDS),
                    rate, channels, run.channelPrefix, true, System.nanoTime(), TimeUnit.SECONDS.toNanos(30));
            fleet.closeConnections();
            fleet.reset();
        }
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("subscribers", subscribers);
        p.put("channels", channels);
        p.put("rate", rate);
        p.put("duration_s", duration);
        p.put("warmup_s", warmup);
        p.put("payload_bytes", run.payloadBytes);
        p.put("sweep", sweep);
        p.put("webhooks", webhooks);
        p.put("metrics", metrics);
        if (sweep) {
            p.put("max_rate", maxRate);
            p.put("max_p99_ms", maxP99Ms);
            p.put("refine", refine);
        }
        return p;
    }

    @Override
    protected ObjectNode measure(RunningServer server) throws Exception {
        WorkerFleet fleet = startWorkers(subscribers);
        ObjectNode result = Json.object();
        if (warmup == 0 && !sweep) {
            warmWorkers(fleet);
        }
        try (ApiClient api = new ApiClient(server.host(), server.port(), target.appKey, target.appSecret, run.httpConnections).open()) {
            progress("connecting " + subscribers + " subscribers over " + channels + " channel(s)");
            WorkerFleet.Connected connected = fleet.connect(List.of(server.webSocketUri(target.appKey)), subscribers, channels,
                    run.channelPrefix, run.connectConcurrency, run.connectTimeoutSeconds * 1000L);
            result.put("workers", fleet.size());
            result.put("subscribed", connected.subscribed());
            result.put("connect_s", Json.round3(connected.elapsedMillis() / 1000));
            if (connected.subscribed() < subscribers) {
                result.set("connect_failures", connected.failureReasons());
                if (connected.subscribed() == 0) {
                    throw new IllegalStateException("no subscriber could connect and subscribe: " + connected.failureReasons());
                }
            }
            FanoutRunner runner = new FanoutRunner(fleet, api, target.appId, new Payloads(run.payloadBytes),
                    connected.perChannel(), run.channelPrefix, server.pids(), benchPids(fleet));
            if (!sweep) {
                result.setAll(runner.step(rate, duration, warmup));
            } else {
                sweep(runner, result);
            }
        } finally {
            ctx.release(fleet);
        }
        return result;
    }

    private void sweep(FanoutRunner runner, ObjectNode result) throws Exception {
        List<Double> rates = sweepRates != null && !sweepRates.isEmpty() ? sweepRates : oneTwoFive(rate, maxRate);
        ArrayNode steps = result.putArray("steps");
        ObjectNode best = null;
        Double failedRate = null;
        boolean first = true;
        for (double r : rates) {
            ObjectNode step = sweepStep(runner, r, first ? warmup : Math.min(warmup, 1), steps);
            first = false;
            if (!step.path("passed").asBoolean()) {
                failedRate = r;
                break;
            }
            best = step;
        }
        // Narrow the gap between the last passing and the first failing rate, unless the failure
        // cost subscribers (the next steps would not measure the same thing).
        for (int i = 0; i < refine && best != null && failedRate != null; i++) {
            if (steps.get(steps.size() - 1).path("subscribers_dropped").asLong() > 0) {
                result.put("refine_skipped", "the server dropped subscribers in a failing step");
                break;
            }
            double mid = Math.round(Math.sqrt(best.path("rate").asDouble() * failedRate));
            if (mid <= best.path("rate").asDouble() || mid >= failedRate) {
                break;
            }
            ObjectNode step = sweepStep(runner, mid, Math.min(warmup, 1), steps);
            step.put("refine", true);
            if (step.path("passed").asBoolean()) {
                best = step;
            } else {
                failedRate = mid;
            }
        }
        result.put("saturation_deliveries_per_s", best == null ? 0 : best.path("deliveries_per_s").asDouble());
        result.put("saturation_rate", best == null ? 0 : best.path("rate").asDouble());
        if (failedRate != null) {
            result.put("first_failing_rate", failedRate);
        } else {
            result.put("note", "no step failed up to --max-rate; the saturation point is higher");
        }
        if (best != null) {
            result.set("at_saturation", best);
        }
    }

    private ObjectNode sweepStep(FanoutRunner runner, double r, double warmupSeconds, ArrayNode steps) throws Exception {
        ObjectNode step = runner.step(r, duration, warmupSeconds);
        String why = failure(step);
        step.put("passed", why == null);
        if (why != null) {
            step.put("failed_because", why);
        }
        ObjectNode compact = compact(step);
        steps.add(compact);
        progress(String.format("sweep: %.1f publishes/s -> %.0f deliveries/s, p99 %.3f ms: %s", r,
                step.path("deliveries_per_s").asDouble(), step.path("latency_ms").path("p99").asDouble(),
                why == null ? "passed" : "FAILED (" + why + ")"));
        return compact;
    }

    private String failure(ObjectNode step) {
        List<String> reasons = new ArrayList<>();
        if (step.path("delivered_ratio").asDouble() < 0.99) {
            reasons.add("delivered/expected " + step.path("delivered_ratio").asDouble() + " < 0.99");
        }
        JsonNode p99 = step.path("latency_ms").path("p99");
        if (p99.isNumber() && p99.asDouble() > maxP99Ms) {
            reasons.add("p99 " + p99.asDouble() + " ms > " + maxP99Ms + " ms");
        }
        JsonNode publisher = step.path("publisher");
        if (!publisher.path("finished").asBoolean(true)) {
            reasons.add("the HTTP API did not answer every publish within 30 s of the last one");
        } else if (!publisher.path("kept_rate").asBoolean()) {
            reasons.add("publisher could not keep the rate (send lag p99 " + publisher.path("send_lag_p99_ms").asDouble() + " ms)");
        }
        if (step.path("subscribers_dropped").asLong() > 0) {
            reasons.add(step.path("subscribers_dropped").asLong() + " subscribers dropped by the server");
        }
        return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    private static ObjectNode compact(ObjectNode step) {
        ObjectNode c = Json.object();
        for (String f : List.of("rate", "target_deliveries_per_s", "expected", "delivered", "lost", "deliveries_per_s",
                "server_cpu_s", "deliveries_per_cpu_second", "bench_cpu_s", "other_cpu_s", "warning", "latency_ms", "publisher",
                "subscribers_dropped", "passed", "failed_because", "refine")) {
            if (step.has(f)) {
                c.set(f, step.get(f));
            }
        }
        return c;
    }

    /** from, then the 1-2-5 series above it, up to max: 20 -> 20, 50, 100, 200, 500, ... */
    static List<Double> oneTwoFive(double from, double max) {
        List<Double> rates = new ArrayList<>();
        rates.add(from);
        double decade = Math.pow(10, Math.floor(Math.log10(from)));
        for (int guard = 0; guard < 40; guard++) {
            for (double m : new double[] {1, 2, 5}) {
                double r = m * decade;
                if (r > from * 1.0001 && r <= max && rates.size() < 20) {
                    rates.add(r);
                }
            }
            decade *= 10;
            if (decade > max) {
                break;
            }
        }
        return rates;
    }
}
