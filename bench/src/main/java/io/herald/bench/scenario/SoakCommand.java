package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.SlotLayout;
import io.herald.bench.coord.SlotFleet;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.http.ApiClient;
import io.herald.bench.http.LoggedPublisher;
import io.herald.bench.http.Payloads;
import io.herald.bench.http.PublishLog;
import io.herald.bench.proc.JvmHeap;
import io.herald.bench.proc.ProcStats;
import io.herald.bench.target.Processes;
import io.herald.bench.target.RunningServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Soak: N connections with churn, presence joins and leaves, and publishes at a fixed rate, for a long time.",
                "%nOne server (Herald; soketi too with --target both). The connections are spread over worker processes; "
                        + "churn closes random ones and opens them again (presence members leave and join as new members); "
                        + "publishes go through the HTTP API at --rate over every channel. Every --interval seconds after the "
                        + "warm-up: Herald's heap after a full GC (jcmd GC.run, then GC.heap_info), RSS and open files "
                        + "(/proc) and CPU. At the end every accepted publish is checked against every subscriber that was "
                        + "subscribed while it was sent and answered. Reports each series' first/last/min/max and slope per "
                        + "hour, the lost and doubled deliveries, and verdict flat or not flat."})
public final class SoakCommand extends ScenarioCommand {
    /** Herald's default max_presence_members_per_channel; the probe that reads the roster joins too. */
    private static final int MAX_PRESENCE_MEMBERS_PER_CHANNEL = 100;
    /** Flat: fitted growth over the run within 5% of the first value (1% for open files), and never less than these. */
    static final double HEAP_RELATIVE = 0.05;
    static final double HEAP_FLOOR_KB = 8 * 1024;
    static final double RSS_RELATIVE = 0.05;
    static final double RSS_FLOOR_KB = 32 * 1024;
    static final double FDS_RELATIVE = 0.01;
    static final double FDS_FLOOR = 50;

    @Option(names = "--connections", defaultValue = "19000",
            description = "Connections held all the time (default: ${DEFAULT-VALUE}; at most 15,000 per worker, 19,000 per server).")
    int connections;

    @Option(names = "--channels", defaultValue = "100", description = "Public channels (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--presence-members", defaultValue = "1000",
            description = "Of the connections, presence members (default: ${DEFAULT-VALUE}).")
    int presenceMembers;

    @Option(names = "--presence-channels", defaultValue = "20", description = "Presence channels (default: ${DEFAULT-VALUE}).")
    int presenceChannels;

    @Option(names = "--rate", defaultValue = "10", description = "Publishes per second, round-robin over every channel (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--churn", defaultValue = "10",
            description = "Public-channel connections closed and opened again per second (default: ${DEFAULT-VALUE}).")
    double churn;

    @Option(names = "--presence-churn", defaultValue = "2",
            description = "Presence members leaving and joining (as a new member) per second (default: ${DEFAULT-VALUE}).")
    double presenceChurn;

    @Option(names = "--duration", defaultValue = "1800", description = "Measured seconds, after the warm-up (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", defaultValue = "60",
            description = "Seconds of the same load before the first sample, so start-up and JIT are not a trend (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--interval", defaultValue = "30", description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = "--grace", defaultValue = "2",
            description = "A subscriber that closes within this many seconds of a publish's answer is not held to it (default: ${DEFAULT-VALUE}).")
    double grace;

    @Override
    protected String scenario() {
        return "soak";
    }

    @Override
    protected void validate() {
        checkServerConnections(connections);
        if (connections < 1 || channels < 1 || presenceMembers < 0 || presenceMembers > connections || rate <= 0 || churn < 0
                || presenceChurn < 0 || duration <= 0 || warmup < 0 || interval <= 0 || grace < 0
                || (presenceMembers > 0 && presenceChannels < 1)) {
            throw new IllegalArgumentException("soak needs --connections >= 1, --channels >= 1, 0 <= --presence-members <= "
                    + "--connections, --presence-channels >= 1, --rate > 0, --duration > 0, --interval > 0 and no negative value");
        }
        int perChannel = presenceMembers == 0 ? 0 : (presenceMembers + presenceChannels - 1) / presenceChannels;
        if (perChannel + 1 > MAX_PRESENCE_MEMBERS_PER_CHANNEL) {
            throw new IllegalArgumentException(perChannel + " presence members per channel (plus the bench's probe) exceed the app's "
                    + MAX_PRESENCE_MEMBERS_PER_CHANNEL + "; use more --presence-channels");
        }
    }

    private SlotLayout layout() {
        return new SlotLayout(connections, channels, run.channelPrefix + "soak-", presenceMembers, presenceChannels, "presence-soak-");
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("connections", connections);
        p.put("channels", channels);
        p.put("presence_members", presenceMembers);
        p.put("presence_channels", layout().usedPresenceChannels());
        p.put("rate", rate);
        p.put("churn_per_s", churn);
        p.put("presence_churn_per_s", presenceChurn);
        p.put("duration_s", duration);
        p.put("warmup_s", warmup);
        p.put("interval_s", interval);
        p.put("grace_s", grace);
        p.put("payload_bytes", run.payloadBytes);
        return p;
    }

    /** One sample; NaN where a figure could not be read. */
    private record Sample(double seconds, double heapAfterGcKb, double rssKb, double fds, double userCpu, double systemCpu,
                          long open, long delivered, int publishes) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("t_s", Json.round3(seconds));
            putNumber(o, "heap_after_gc_kb", heapAfterGcKb);
            putNumber(o, "rss_kb", rssKb);
            putNumber(o, "fds", fds);
            o.put("user_cpu_s", Json.round3(userCpu));
            o.put("system_cpu_s", Json.round3(systemCpu));
            o.put("connections", open);
            o.put("delivered", delivered);
            o.put("publishes", publishes);
            return o;
        }
    }

    @Override
    protected ObjectNode measure(RunningServer server) throws Exception {
        if (server.pids().isEmpty()) {
            throw new IllegalArgumentException("soak samples the server's memory and files from /proc: give --pid with --url");
        }
        SlotLayout layout = layout();
        long pid = server.pids().get(0);
        // jcmd attaches to a JVM only; soketi's heap is not sampled.
        String jcmd = server.kind().equals("soketi") ? null : target.heraldLauncher().jcmd();
        WorkerFleet workers = startWorkers(connections);
        SlotFleet fleet = new SlotFleet(workers, layout);
        ObjectNode r = Json.object();
        PublishLog log = new PublishLog();
        try (ApiClient api = new ApiClient(server.host(), server.port(), target.appKey, target.appSecret, run.httpConnections).open();
             LoggedPublisher publisher = new LoggedPublisher(List.of(api), target.appId, new Payloads(run.payloadBytes),
                     layout.channelNames(), log);
             PresenceViews views = new PresenceViews(List.of(server), target.appId, target.appKey, target.appSecret,
                     layout.presenceChannelNames())) {
            progress(String.format(Locale.ROOT, "soak: opening %,d connections (%,d presence members in %d channels, %d public channels)",
                    connections, presenceMembers, layout.usedPresenceChannels(), channels));
            SlotFleet.Opened opened = fleet.open(List.of(server.webSocketUri(target.appKey)), target.appKey, target.appSecret,
                    run.connectConcurrency, run.connectTimeoutSeconds * 1000L, 1000);
            r.put("subscribed", opened.subscribed());
            r.put("connect_s", Json.round3(opened.elapsedMillis() / 1000));
            if (opened.subscribed() < opened.requested()) {
                r.set("connect_failures", opened.failureReasons());
                progress(opened.requested() - opened.subscribed() + " connection(s) failed to subscribe: " + opened.failureReasons());
            }
            if (opened.subscribed() == 0) {
                throw new IllegalStateException("no connection could subscribe: " + opened.failureReasons());
            }

            progress(String.format(Locale.ROOT, "soak: %.0f publishes/s, churn %.1f/s, presence churn %.1f/s; warm-up %.0f s, then %.0f s "
                    + "sampled every %.0f s", rate, churn, presenceChurn, warmup, duration, interval));
            publisher.start(rate);
            fleet.churn(churn, presenceChurn);
            Processes.sleep(Math.round(warmup * 1000));

            List<Long> benchPids = benchPids(workers);
            ProcStats.Sample server0 = ProcStats.sample(server.pids());
            ProcStats.Sample bench0 = ProcStats.sample(benchPids);
            long t0 = System.nanoTime();
            List<Sample> samples = new ArrayList<>();
            for (int k = 0; ; k++) {
                long due = t0 + Math.round(k * interval * 1e9);
                if (due > t0 + Math.round(duration * 1e9) + 1_000_000L) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Processes.sleep(wait / 1_000_000L);
                }
                if (!ProcStats.alive(pid)) {
                    throw new IllegalStateException("the server (pid " + pid + ") exited during the soak");
                }
                OptionalLong heap = jcmd == null ? OptionalLong.empty() : JvmHeap.usedAfterFullGcKb(jcmd, pid);
                if (jcmd != null && heap.isEmpty()) {
                    jcmd = null; // cannot attach: do not try 60 more times
                }
                ProcStats.Sample s = ProcStats.sample(List.of(pid));
                int fds = ProcStats.openFds(pid);
                ObjectNode stats = fleet.stats();
                Sample sample = new Sample((System.nanoTime() - t0) / 1e9, heap.isPresent() ? heap.getAsLong() : Double.NaN,
                        s.rssKb(), fds < 0 ? Double.NaN : fds, s.userSeconds() - server0.userSeconds(),
                        s.systemSeconds() - server0.systemSeconds(), stats.path("open").asLong(), stats.path("delivered").asLong(),
                        log.size());
                samples.add(sample);
                progress(String.format(Locale.ROOT, "soak %4.0f s: heap after GC %s KB, RSS %,d KB, %s fds, %,d connections open, "
                                + "%,d delivered, %,d published", sample.seconds(), heap.isPresent() ? String.format(Locale.ROOT, "%,d", heap.getAsLong()) : "-",
                        s.rssKb(), fds < 0 ? "-" : Integer.toString(fds), sample.open(), sample.delivered(), sample.publishes()));
            }
            fleet.churn(0, 0);
            boolean answered = publisher.stop(30_000);
            long measuredEnd = System.nanoTime();
            fleet.awaitDeliveriesSettled(3_000, 30_000);
            ProcStats.Sample server1 = ProcStats.sample(server.pids());
            ProcStats.Sample bench1 = ProcStats.sample(benchPids);

            progress("soak: presence check (churn stopped)");
            long checkStart = System.nanoTime();
            ObjectNode presence = layout.usedPresenceChannels() == 0 ? Json.object()
                    : Convergence.await(fleet, views, checkStart, checkStart, 15);

            progress("soak: checking every delivery");
            PublishLog.Entries entries = log.snapshot();
            fleet.sendLog(entries, null);
            SlotFleet.Verdict verdict = fleet.verify(1, Math.round(grace * 1000), System.nanoTime(), List.of());
            ObjectNode stats = fleet.stats();

            r.setAll(entries.summary(-1));
            r.put("all_answered", answered);
            long expected = verdict.expected()[0];
            long delivered = verdict.delivered()[0];
            r.put("expected", expected);
            r.put("delivered", delivered);
            r.put("lost", expected - delivered);
            r.put("duplicates", verdict.duplicates()[0]);
            r.put("sessions_checked", verdict.sessions());
            if (!verdict.lostExamples().isEmpty()) {
                ArrayNode ex = r.putArray("lost_examples");
                verdict.lostExamples().forEach(ex::add);
            }
            r.set("latency_ms", latencyMs(verdict.latencyMicros()));
            r.set("presence", presence);
            r.put("churn_closes", stats.path("churn_closes").asLong());
            r.put("reconnects", stats.path("reconnects").asLong());
            r.put("dropped_by_server", stats.path("unexpected_closes").asLong());
            r.put("connect_failures_total", stats.path("connect_failures").asLong());
            if (stats.path("close_reasons").size() > 0) {
                r.set("close_reasons", stats.path("close_reasons"));
            }
            if (stats.path("failure_reasons").size() > 0) {
                r.set("failure_reasons", stats.path("failure_reasons"));
            }
            if (stats.path("pusher_errors").asLong() > 0) {
                r.put("pusher_errors", stats.path("pusher_errors").asLong());
                r.put("last_pusher_error", stats.path("last_pusher_error").asText());
            }

            putSeries(r, samples);
            ArrayNode array = r.putArray("samples");
            samples.forEach(s -> array.add(s.toJson()));
            double window = (measuredEnd - t0) / 1e9;
            r.put("server_cpu_s", Json.round3(server1.cpuSince(server0)));
            r.put("server_user_cpu_s", Json.round3(server1.userSince(server0)));
            r.put("server_system_cpu_s", Json.round3(server1.systemSince(server0)));
            r.put("server_rss_kb", server1.rssKb());
            r.put("server_hwm_kb", server1.hwmKb());
            r.put("bench_cpu_s", Json.round3(bench1.cpuSince(bench0)));
            putOtherCpu(r, server1.machineBusySince(server0), server1.cpuSince(server0), bench1.cpuSince(bench0),
                    (server1.nanoTime() - server0.nanoTime()) / 1e9);
            r.put("measured_s", Json.round3(window));
            progress(String.format(Locale.ROOT, "soak: %s; %,d of %,d deliveries lost, %,d doubled", r.path("verdict").asText(),
                    expected - delivered, expected, verdict.duplicates()[0]));
        } finally {
            ctx.release(workers);
        }
        return r;
    }

    /** The three series, each judged flat or not, and the verdict: flat when every series read is flat. */
    private static void putSeries(ObjectNode r, List<Sample> samples) {
        int n = samples.size();
        double[] t = new double[n];
        double[] heap = new double[n];
        double[] rss = new double[n];
        double[] fds = new double[n];
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            t[i] = s.seconds();
            heap[i] = s.heapAfterGcKb();
            rss[i] = s.rssKb();
            fds[i] = s.fds();
        }
        ObjectNode series = r.putObject("series");
        Series h = Series.of(t, heap);
        Series m = Series.of(t, rss);
        Series f = Series.of(t, fds);
        series.set("heap_after_gc_kb", h.toJson(HEAP_RELATIVE, HEAP_FLOOR_KB));
        series.set("rss_kb", m.toJson(RSS_RELATIVE, RSS_FLOOR_KB));
        series.set("fds", f.toJson(FDS_RELATIVE, FDS_FLOOR));
        List<Boolean> verdicts = new ArrayList<>();
        if (h.count() > 0) {
            verdicts.add(h.flat(HEAP_RELATIVE, HEAP_FLOOR_KB));
        }
        verdicts.add(m.flat(RSS_RELATIVE, RSS_FLOOR_KB));
        verdicts.add(f.flat(FDS_RELATIVE, FDS_FLOOR));
        if (verdicts.contains(null)) {
            r.put("verdict", "too short");
            r.putNull("flat");
        } else {
            boolean flat = !verdicts.contains(false);
            r.put("verdict", flat ? "flat" : "not flat");
            r.put("flat", flat);
        }
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        if (Double.isNaN(v)) {
            o.putNull(name);
        } else {
            o.put(name, Json.round3(v));
        }
    }
}
