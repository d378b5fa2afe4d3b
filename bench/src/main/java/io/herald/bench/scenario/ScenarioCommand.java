package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.proc.CpuModes;
import io.herald.bench.proc.ProcStats;
import io.herald.bench.report.Metrics;
import io.herald.bench.target.HeraldLauncher;
import io.herald.bench.target.LimitLauncher;
import io.herald.bench.target.RunningServer;
import io.herald.bench.target.SoketiLauncher;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A measured scenario: for each target (Herald, soketi, or a --url server) start it, run the
 * scenario, print one JSON result line, stop it; with --target both, add a ratio line.
 */
public abstract class ScenarioCommand implements Callable<Integer> {
    @Mixin
    protected TargetOptions target;

    @Mixin
    protected RunOptions run;

    @Spec
    protected CommandSpec spec;

    protected BenchContext ctx;

    /** "idle", "fanout", ... */
    protected abstract String scenario();

    /** The parameters, as printed in the result line (and used to match results in the report). */
    protected abstract ObjectNode params();

    /** Runs the scenario against a started server; returns the measured fields. */
    protected abstract ObjectNode measure(RunningServer server) throws Exception;

    /** Checks the options before anything starts; throws IllegalArgumentException. */
    protected void validate() {}

    /**
     * The targets measured, in order: {@code herald}, {@code soketi}, or a variant of one of them
     * named {@code herald+...} / {@code soketi+...} (the same server started with {@link #serverEnv}).
     */
    protected List<String> targetNames() {
        return target.targets();
    }

    /** Extra environment for the server of target {@code name} (Herald: its variables; soketi: SOKETI_*). */
    protected Map<String, String> serverEnv(String name) {
        return Map.of();
    }

    /** {@link #serverEnv}, plus the I/O transport of a {@code ...+io_uring} target. */
    private Map<String, String> heraldEnv(String name) {
        Map<String, String> env = new LinkedHashMap<>(serverEnv(name));
        if (name.contains("+io_uring")) {
            env.put("IO_TRANSPORT", "io_uring");
        }
        if (name.contains("+no_warm_up")) {
            env.put("STARTUP_WARM_UP", "false");
        }
        return env;
    }

    /** Called before the first target starts (a scenario's own services, such as a webhook receiver). */
    protected void prepare() throws Exception {}

    @Override
    public Integer call() throws Exception {
        validate();
        List<String> targets = targetNames();
        ctx = new BenchContext(out(), run.resultsDir(), !run.noSave, commandLine());
        int failures = 0;
        Map<String, ObjectNode> results = new LinkedHashMap<>();
        try {
            prepare();
            SoketiLauncher soketi = null;
            for (String name : targets) {
                ObjectNode line = ctx.envelope(scenario(), name);
                line.set("params", params());
                RunningServer server = null;
                try {
                    if (target.external()) {
                        server = target.externalServers().get(0);
                    } else if (name.equals("limit")) {
                        server = ctx.track(new LimitLauncher(target.heraldLauncher(), HeraldLauncher.javaFor(target.jdk)).start());
                    } else if (name.startsWith("herald")) {
                        server = ctx.track(target.heraldLauncher().start("bench-herald", heraldEnv(name)));
                    } else {
                        if (soketi == null) {
                            soketi = ctx.track(target.soketiLauncher());
                        }
                        server = ctx.track(soketi.start(serverEnv(name)));
                    }
                    line.set("server", serverInfo(server));
                    line.setAll(measure(server));
                } catch (Exception e) {
                    failures++;
                    line.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
                    System.err.println("bench: " + scenario() + " on " + name + " failed: " + e);
                    if (!(e instanceof IllegalArgumentException) && !(e instanceof HeraldLauncher.StartFailure)) {
                        e.printStackTrace(System.err);
                    }
                } finally {
                    if (server != null) {
                        ctx.release(server);
                    }
                }
                line.set("machine", ctx.machine());
                ctx.emit(line);
                results.put(name, line);
            }
            if (results.containsKey("herald") && results.containsKey("soketi")) {
                ctx.emit(ratioLine(results.get("herald"), results.get("soketi"), "ratio", "herald_over_soketi"));
            }
            if (results.containsKey("herald") && results.containsKey("limit")) {
                ctx.emit(ratioLine(results.get("herald"), results.get("limit"), "limit-ratio", "herald_over_limit"));
            }
        } finally {
            ctx.close();
        }
        return failures == 0 ? 0 : 1;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** The exact command line, as the user would type it again. */
    protected String commandLine() {
        String launcher = System.getProperty("herald.bench.launcher", "java -jar bench/target/herald-bench.jar");
        List<String> args = new ArrayList<>();
        args.add(launcher);
        for (String a : spec.commandLine().getParseResult().originalArgs()) {
            args.add(a.matches("[A-Za-z0-9_./:=,@+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", args);
    }

    /** Herald's figures over another target's: soketi's, or the loopback limit's. */
    private ObjectNode ratioLine(ObjectNode herald, ObjectNode other, String targetName, String field) {
        ObjectNode line = ctx.envelope(scenario(), targetName);
        line.put("kind", "ratio");
        line.set("params", params());
        ObjectNode ratios = line.putObject(field);
        for (Metrics.Metric m : Metrics.forResult(herald)) {
            Double h = Metrics.value(herald, m.path());
            Double o = Metrics.value(other, m.path());
            if (h != null && o != null && o != 0 && m.ratio()) {
                ratios.put(m.path(), Json.round3(h / o));
            }
        }
        if (herald.has("error") || other.has("error")) {
            line.put("error", "a target failed; see its line");
        }
        return line;
    }

    private static ObjectNode serverInfo(RunningServer server) {
        ObjectNode info = server.info().deepCopy();
        info.put("host", server.host());
        info.put("port", server.port());
        var pids = info.putArray("pids");
        server.pids().forEach(pids::add);
        return info;
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** One process may hold at most 20,000 open files: the server too, so one node cannot hold more than this. */
    static final int MAX_CONNECTIONS_PER_SERVER = 19_000;

    static void checkServerConnections(int connections) {
        if (connections > MAX_CONNECTIONS_PER_SERVER) {
            throw new IllegalArgumentException(connections + " connections: one process may hold at most 20,000 open files, so a "
                    + "single server cannot take more than " + MAX_CONNECTIONS_PER_SERVER + " connections here");
        }
    }

    protected WorkerFleet startWorkers(int connections) throws Exception {
        int count = WorkerFleet.workerCount(connections, run.workers);
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("java.class.path");
        List<String> opts = run.workerJvmOpts.isBlank() ? List.of() : Arrays.asList(run.workerJvmOpts.trim().split("\\s+"));
        System.err.println("bench: starting " + count + " worker process(es) for " + connections + " connection(s)");
        return ctx.track(WorkerFleet.start(count, java, classPath, opts));
    }

    protected List<Long> benchPids(WorkerFleet fleet) {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        if (fleet != null) {
            pids.addAll(fleet.pids());
        }
        return pids;
    }

    /** p50/p90/p99/p99.9/max/mean in milliseconds (3 decimals) of a microsecond histogram. */
    public static ObjectNode latencyMs(Histogram micros) {
        ObjectNode l = Json.object();
        l.put("count", micros.getTotalCount());
        if (micros.getTotalCount() == 0) {
            return l;
        }
        l.put("p50", ms(micros.getValueAtPercentile(50)));
        l.put("p90", ms(micros.getValueAtPercentile(90)));
        l.put("p99", ms(micros.getValueAtPercentile(99)));
        l.put("p99_9", ms(micros.getValueAtPercentile(99.9)));
        l.put("max", ms(micros.getMaxValue()));
        l.put("mean", Json.round3(micros.getMean() / 1000.0));
        return l;
    }

    /**
     * CPU used on the machine by neither the server nor the bench during a window: other load that
     * makes the figures less trustworthy. Flags the result when it exceeds 10% of the machine.
     */
    /**
     * {@code PREFIX_cpu_s} of {@code pids} between two samples, and its split into
     * {@code PREFIX_user_cpu_s} and {@code PREFIX_system_cpu_s}: the total from /proc, the split from
     * perf's samples when there were enough ({@code PREFIX_cpu_split} "perf, N samples"), else from
     * /proc's ticks ("proc ticks", which a paced load can bias: see {@link CpuModes}).
     * Returns the total.
     */
    static double putCpu(ObjectNode r, String prefix, ProcStats.Sample before, ProcStats.Sample after, CpuModes.Samples modes,
                         List<Long> pids) {
        double cpu = after.cpuSince(before);
        double userShare = modes.userShare(pids);
        double user = userShare >= 0 ? cpu * userShare : after.userSince(before);
        r.put(prefix + "_cpu_s", Json.round3(cpu));
        r.put(prefix + "_user_cpu_s", Json.round3(user));
        r.put(prefix + "_system_cpu_s", Json.round3(cpu - user));
        r.put(prefix + "_cpu_split", userShare >= 0 ? "perf, " + modes.count(pids) + " samples" : "proc ticks");
        return cpu;
    }

    static void putOtherCpu(ObjectNode r, double machineBusy, double serverCpu, double benchCpu, double seconds) {
        double other = Math.max(0, machineBusy - serverCpu - benchCpu);
        r.put("other_cpu_s", Json.round3(other));
        int cores = Runtime.getRuntime().availableProcessors();
        if (seconds > 0 && other > 0.1 * cores * seconds) {
            r.put("warning", String.format(java.util.Locale.ROOT,
                    "other processes used %.1f CPU-seconds of the %.1f available during the measurement: figures disturbed", other, cores * seconds));
            progress("WARNING: " + r.path("warning").asText());
        }
    }

    static double ms(long micros) {
        return Json.round3(micros / 1000.0);
    }

    static void progress(String message) {
        System.err.println("bench: " + message);
    }
}
