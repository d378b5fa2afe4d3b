package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.http.ApiClient;
import io.herald.bench.http.ApiSigner;
import io.herald.bench.http.WrkPublisher;
import io.herald.bench.http.ClosedLoopPublisher;
import io.herald.bench.http.Payloads;
import io.herald.bench.proc.CpuModes;
import io.herald.bench.proc.ProcStats;
import io.herald.bench.target.Processes;
import io.herald.bench.target.RunningServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish: HTTP API requests/s at full speed (closed loop).",
                "%nN keep-alive connections each send their next signed publish as soon as the previous one is answered. "
                        + "Reports requests/s, events/s, request latency and requests per server CPU-second (user and "
                        + "system apart) beside the generator's CPU; with --subscribers, also what reached them. Without "
                        + "subscribers the generator is wrk (one request signed once, sent over and over), which needs "
                        + "far less CPU per request than the server; with subscribers, the bench's own Java publisher, "
                        + "whose every publish carries a sequence number the subscribers check."})
public final class PublishCommand extends ScenarioCommand {
    @Option(names = "--subscribers", defaultValue = "0", description = "Subscribers of the published channel(s) (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--channels", defaultValue = "1", description = "Channels, events round-robin over them (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--batch", defaultValue = "1", description = "Events per request; above 1, POST /batch_events (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--concurrency", defaultValue = "8", description = "Keep-alive connections, one request in flight each (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--duration", defaultValue = "15", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", defaultValue = "3", description = "Seconds at full speed before measuring (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--driver", defaultValue = "auto", paramLabel = "auto|wrk|java",
            description = "Request generator: wrk (no subscribers only), java, or auto: wrk when there are no subscribers "
                    + "and wrk is installed (default: ${DEFAULT-VALUE}).")
    String driver;

    @Option(names = "--wrk-threads", defaultValue = "2", description = "wrk threads (default: ${DEFAULT-VALUE}).")
    int wrkThreads;

    @Option(names = "--app-limit", defaultValue = "0", paramLabel = "EVENTS",
            description = "Compare Herald twice in the same run, both on the redis adapter (the local Redis): without a "
                    + "per-app limit, then with max_backend_events_per_second EVENTS shared through Redis (reported as "
                    + "herald+limit). 0: off (default: ${DEFAULT-VALUE}).")
    int appLimit;

    @Override
    protected List<String> targetNames() {
        if (appLimit <= 0) {
            return super.targetNames();
        }
        List<String> names = new ArrayList<>();
        for (String name : target.targets()) {
            names.add(name);
            if (name.startsWith("herald")) {
                names.add(name + "+limit");
            }
        }
        return names;
    }

    /** With --app-limit, Herald runs on the redis adapter, and herald+limit has the shared per-app limit. */
    @Override
    protected Map<String, String> serverEnv(String name) {
        if (appLimit <= 0 || !name.startsWith("herald")) {
            return Map.of();
        }
        Map<String, String> env = new HashMap<>(Map.of("ADAPTER_DRIVER", "redis",
                "REDIS_URL", "redis://127.0.0.1:6379", "SOCKUDO_DEFAULT_APP_ID", target.appId,
                "SOCKUDO_DEFAULT_APP_KEY", target.appKey, "SOCKUDO_DEFAULT_APP_SECRET", target.appSecret));
        if (name.endsWith("+limit")) {
            env.put("SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND", Integer.toString(appLimit));
        }
        return env;
    }

    @Override
    protected String scenario() {
        return "publish";
    }

    @Override
    protected void validate() {
        checkServerConnections(subscribers);
        if (subscribers < 0 || channels < 1 || batch < 1 || concurrency < 1 || duration <= 0 || warmup < 0) {
            throw new IllegalArgumentException("publish needs --subscribers >= 0, --channels >= 1, --batch >= 1, --concurrency >= 1, --duration > 0");
        }
        if (!List.of("auto", "wrk", "java").contains(driver)) {
            throw new IllegalArgumentException("--driver must be auto, wrk or java, not '" + driver + "'");
        }
        if (driver.equals("wrk") && (subscribers > 0 || batch > 1 || channels > 1)) {
            throw new IllegalArgumentException("--driver wrk sends one request over and over: no --subscribers, --batch or --channels");
        }
        if (driver.equals("wrk") && !WrkPublisher.available()) {
            throw new IllegalArgumentException("--driver wrk needs /usr/bin/wrk and /usr/bin/time (apt-get install wrk time)");
        }
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("subscribers", subscribers);
        p.put("channels", channels);
        p.put("batch", batch);
        p.put("concurrency", concurrency);
        p.put("duration_s", duration);
        p.put("warmup_s", warmup);
        p.put("payload_bytes", run.payloadBytes);
        p.put("driver", useWrk() ? "wrk" : "java");
        p.put("app_limit", appLimit);
        return p;
    }

    private boolean useWrk() {
        return driver.equals("wrk") || (driver.equals("auto") && subscribers == 0 && batch == 1 && channels == 1
                && WrkPublisher.available());
    }

    /** wrk: warm-up, then the measured run, with the server's CPU sampled around it and wrk's from /usr/bin/time. */
    private ObjectNode measureWithWrk(RunningServer server) throws Exception {
        ObjectNode r = Json.object();
        ApiSigner signer = new ApiSigner(target.appKey, target.appSecret);
        byte[] body = new Payloads(run.payloadBytes).event(run.channelPrefix + "0", 0, 0);
        String uri = signer.signedUri("POST", "/apps/" + target.appId + "/events", body, System.currentTimeMillis() / 1000);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("bench-wrk");
        try {
            if (warmup > 0) {
                progress(String.format("wrk warm-up: %.0f s", warmup));
                WrkPublisher.run(server.host(), server.port(), uri, body, wrkThreads, concurrency, warmup, dir);
            }
            progress(String.format("wrk -t%d -c%d -d%.0fs", wrkThreads, concurrency, duration));
            CpuModes modes = CpuModes.start(server.pids());
            ProcStats.Sample before = ProcStats.sample(server.pids());
            WrkPublisher.Result wrk = WrkPublisher.run(server.host(), server.port(), uri, body, wrkThreads, concurrency, duration, dir);
            ProcStats.Sample after = ProcStats.sample(server.pids());
            CpuModes.Samples modeSamples = modes.stop();
            long ok = wrk.requests() - wrk.non2xx();
            r.put("requests", wrk.requests());
            r.put("requests_ok", ok);
            r.put("http_failed", wrk.non2xx() + wrk.socketErrors());
            r.put("requests_per_s", Json.round3(ok / wrk.seconds()));
            r.put("events_per_s", Json.round3(ok / wrk.seconds()));
            ObjectNode latency = Json.object();
            latency.put("p50", Json.round3(wrk.p50Ms()));
            latency.put("p90", Json.round3(wrk.p90Ms()));
            latency.put("p99", Json.round3(wrk.p99Ms()));
            r.set("http_latency_ms", latency);
            double cpu = putCpu(r, "server", before, after, modeSamples, server.pids());
            r.put("requests_per_cpu_second", cpu > 0 ? Json.round3(ok / cpu) : null);
            r.put("server_cpu_us_per_request", ok > 0 ? Json.round3(cpu * 1e6 / ok) : null);
            r.put("server_rss_kb", after.rssKb());
            r.put("bench_cpu_s", Json.round3(wrk.userCpuSeconds() + wrk.systemCpuSeconds()));
            r.put("bench_user_cpu_s", Json.round3(wrk.userCpuSeconds()));
            r.put("bench_system_cpu_s", Json.round3(wrk.systemCpuSeconds()));
            putOtherCpu(r, after.machineBusySince(before), cpu, wrk.userCpuSeconds() + wrk.systemCpuSeconds(), wrk.seconds());
            r.put("finished_cleanly", wrk.socketErrors() == 0);
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
        return r;
    }

    @Override
    protected ObjectNode measure(RunningServer server) throws Exception {
        if (useWrk()) {
            return measureWithWrk(server);
        }
        ObjectNode r = Json.object();
        WorkerFleet fleet = null;
        int[] perChannel = new int[channels];
        try (ApiClient api = new ApiClient(server.host(), server.port(), target.appKey, target.appSecret, concurrency).open()) {
            if (subscribers > 0) {
                fleet = startWorkers(subscribers);
                progress("connecting " + subscribers + " subscribers over " + channels + " channel(s)");
                WorkerFleet.Connected connected = fleet.connect(List.of(server.webSocketUri(target.appKey)), subscribers, channels,
                        run.channelPrefix, run.connectConcurrency, run.connectTimeoutSeconds * 1000L);
                perChannel = connected.perChannel();
                r.put("subscribed", connected.subscribed());
                if (connected.subscribed() < subscribers) {
                    r.set("connect_failures", connected.failureReasons());
                }
                fleet.reset();
            }
            List<Long> benchPids = benchPids(fleet);
            ClosedLoopPublisher publisher = new ClosedLoopPublisher(api, target.appId, new Payloads(run.payloadBytes), batch,
                    channels, run.channelPrefix);
            long measureFrom = System.nanoTime() + Math.round(warmup * 1e9);
            long durationNanos = Math.round(duration * 1e9);
            progress(String.format("publishing at full speed: %d connection(s), batch %d, %.1f s warm-up + %.1f s", concurrency,
                    batch, warmup, duration));
            // Samples at the window's edges, taken while the publisher runs.
            ProcStats.Sample[] samples = new ProcStats.Sample[4];
            Thread sampler = new Thread(() -> {
                sleepUntil(measureFrom);
                samples[0] = ProcStats.sample(server.pids());
                samples[2] = ProcStats.sample(benchPids);
                sleepUntil(measureFrom + durationNanos);
                samples[1] = ProcStats.sample(server.pids());
                samples[3] = ProcStats.sample(benchPids);
            }, "bench-sampler");
            sampler.start();
            ClosedLoopPublisher.Result result = publisher.run(concurrency, measureFrom, durationNanos);
            sampler.join(TimeUnit.SECONDS.toMillis(60));

            long ok = result.stats.ok;
            r.put("requests", result.measuredRequests);
            r.put("requests_ok", ok);
            r.put("http_failed", result.stats.failed);
            if (result.stats.failed > 0) {
                r.set("http_errors", result.stats.errorsJson());
                r.put("http_first_error", result.stats.firstError);
            }
            r.put("requests_per_s", Json.round3(ok / duration));
            r.put("events_per_s", Json.round3(ok * batch / duration));
            r.set("http_latency_ms", latencyMs(result.stats.requestMicros));
            r.put("finished_cleanly", result.finished);
            // soketi answers every API call with Connection: close; Herald keeps connections open.
            r.put("http_connections_reopened", api.reconnects());
            if (!server.pids().isEmpty() && samples[1] != null) {
                double cpu = samples[1].cpuSince(samples[0]);
                r.put("server_cpu_s", Json.round3(cpu));
                r.put("requests_per_cpu_second", cpu > 0 ? Json.round3(ok / cpu) : null);
                r.put("server_rss_kb", samples[1].rssKb());
            }
            if (samples[3] != null) {
                r.put("bench_cpu_s", Json.round3(samples[3].cpuSince(samples[2])));
                putOtherCpu(r, samples[1].machineBusySince(samples[0]), samples[1].cpuSince(samples[0]),
                        samples[3].cpuSince(samples[2]), duration);
            }
            if (fleet != null) {
                long expected = 0;
                for (int c = 0; c < channels; c++) {
                    expected += result.okEventsPerChannel[c] * perChannel[c];
                }
                long delivered = fleet.awaitDelivered(expected, FanoutRunner.DRAIN_STALL_MILLIS, FanoutRunner.DRAIN_MAX_MILLIS).delivered();
                WorkerFleet.Report report = fleet.report();
                r.put("expected", expected);
                r.put("delivered", report.delivered());
                r.put("lost", Math.max(0, expected - report.delivered()));
                r.put("duplicates", report.duplicates());
                r.set("latency_ms", latencyMs(report.latencyMicros()));
                r.put("subscribers_dropped", report.closedAfterSubscribe());
                if (report.closeReasons().size() > 0) {
                    r.set("close_reasons", report.closeReasons());
                }
                if (delivered < expected) {
                    progress(String.format("%d of %d deliveries arrived", delivered, expected));
                }
            }
        } finally {
            if (fleet != null) {
                ctx.release(fleet);
            }
        }
        return r;
    }

    private static void sleepUntil(long nanos) {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Processes.sleep(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
        }
    }
}
