package io.herald.bench.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.Loopback;
import io.herald.bench.SlotLayout;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A load-generating process: holds a slice of the subscriber connections on one Netty event loop
 * and reports what they received. The coordinator drives it over stdin/stdout, one JSON object per
 * line, each command answered by exactly one line:
 *
 * <pre>
 * {"cmd":"connect","urls":[...],"local":"127.0.0.2","first":0,"count":N,"channels":C,"prefix":"bench-",
 *  "concurrency":200,"timeout_ms":60000}         -> {"type":"ready","subscribed":n,"failed":f,...}
 * {"cmd":"stats"}                                 -> {"type":"stats","delivered":n,...}
 * {"cmd":"report"}                                -> {"type":"report",...,"histogram":"base64"}
 * {"cmd":"reset"}                                 -> {"type":"reset"}
 * {"cmd":"close"}                                 -> {"type":"closed","closed":n}
 * {"cmd":"exit"} or end of stdin                  -> exits
 * </pre>
 *
 * The soak and chaos scenarios use slots instead (see {@link Slots}): connections that come and go,
 * each one a session whose deliveries are checked at the end against the coordinator's log of
 * accepted publishes.
 *
 * <pre>
 * {"cmd":"slots","urls":[...],"local":"127.0.0.2","first":F,"count":N,"layout":{...SlotLayout},"key":K,"secret":S,
 *  "concurrency":200,"timeout_ms":60000,"reconnect_ms":1000}        -> {"type":"ready","subscribed":n,...}
 * {"cmd":"churn","per_second":r,"presence_per_second":p}            -> {"type":"churn"}
 * {"cmd":"slot_stats"}                                              -> {"type":"slot_stats","open":n,"delivered":n,...}
 * {"cmd":"presence"}                                                -> {"type":"presence","members":{channel:[ids]},"uncertain":[ids],"pending":n}
 * {"cmd":"publish_log","seq":[..],"ch":[..],"node":[..],"sent":[..],"ack":[..],"phase":[..],"outage":[0|1..]}
 *                                                                   -> {"type":"logged","size":n}
 * {"cmd":"verify","grace_ms":2000,"end_nanos":T,"phases":P,"dead":[[node,from,to],..]}
 *                                                                   -> {"type":"verified","expected":[per phase],...}
 * </pre>
 *
 * Connection {@code g} (first <= g < first+count) subscribes to channel {@code prefix + (g % C)} on
 * {@code urls[(g / C) % urls.length]}. Events carry {@code {"s":seq,"t":nanoTime}}; latency is
 * {@code System.nanoTime() - t} (CLOCK_MONOTONIC, comparable across processes on one machine).
 * Human-readable messages go to stderr only.
 */
public final class Worker {
    private final BufferedReader in;
    private final PrintStream out;
    private final String name;
    private final WorkerState state = new WorkerState();
    private Slots slots;

    Worker(InputStream in, PrintStream out, String name) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.name = name;
    }

    public static void main(String[] args) throws Exception {
        // stdout is the control channel: nothing else may write to it (loggers, Netty warnings).
        PrintStream control = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        String name = args.length > 0 ? "worker-" + args[0] : "worker";
        int status = new Worker(System.in, control, name).run();
        System.exit(status);
    }

    int run() throws Exception {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode cmd = Json.parse(line);
                String op = cmd.path("cmd").asText();
                ObjectNode reply;
                try {
                    reply = handle(op, cmd);
                } catch (Exception e) {
                    reply = Json.object();
                    reply.put("type", "error");
                    reply.put("error", op + ": " + e);
                }
                if (reply == null) {
                    return 0;
                }
                out.println(Json.line(reply));
                out.flush();
            }
            return 0;
        } finally {
            try {
                if (slots != null) {
                    slots.closeAll().get(10, TimeUnit.SECONDS);
                }
                state.closeAll().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // exiting anyway
            }
            state.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private ObjectNode handle(String op, JsonNode cmd) throws Exception {
        switch (op) {
            case "connect" -> {
                List<URI> urls = loopbackUrls(cmd);
                String local = loopbackSource(cmd);
                long timeout = cmd.path("timeout_ms").asLong(120_000);
                WorkerState.ConnectSpec spec = new WorkerState.ConnectSpec(urls, local,
                        cmd.path("first").asInt(0), cmd.path("count").asInt(0), Math.max(1, cmd.path("channels").asInt(1)),
                        cmd.path("prefix").asText("bench-"), Math.max(1, cmd.path("concurrency").asInt(200)), timeout);
                System.err.println("bench " + name + ": connecting " + spec.count() + " from " + local + " to " + urls.get(0).getHost()
                        + ":" + urls.get(0).getPort() + (urls.size() > 1 ? " (+" + (urls.size() - 1) + " more nodes)" : ""));
                ObjectNode ready = state.connect(spec).get(timeout + 10_000, TimeUnit.MILLISECONDS);
                ready.put("worker", name);
                return ready;
            }
            case "stats" -> {
                return state.loop.submit(() -> state.stats(false)).get(30, TimeUnit.SECONDS);
            }
            case "report" -> {
                ObjectNode report = state.loop.submit(() -> state.stats(true)).get(30, TimeUnit.SECONDS);
                report.put("worker", name);
                return report;
            }
            case "reset" -> {
                state.loop.submit(state::reset).get(30, TimeUnit.SECONDS);
                ObjectNode r = Json.object();
                r.put("type", "reset");
                return r;
            }
            case "slots" -> {
                if (slots != null) {
                    throw new IllegalStateException("slots were opened already");
                }
                long timeout = cmd.path("timeout_ms").asLong(120_000);
                Slots.Spec spec = new Slots.Spec(loopbackUrls(cmd), loopbackSource(cmd), cmd.path("first").asInt(0),
                        cmd.path("count").asInt(0), SlotLayout.fromJson(cmd.path("layout")), cmd.path("key").asText(),
                        cmd.path("secret").asText(), Math.max(1, cmd.path("concurrency").asInt(200)), timeout,
                        Math.max(1, cmd.path("reconnect_ms").asLong(1000)));
                System.err.println("bench " + name + ": opening slots " + spec.first() + ".." + (spec.first() + spec.count() - 1)
                        + " over " + spec.urls().size() + " node(s) from " + spec.localAddress());
                slots = new Slots(state.loop, state.epoll(), spec);
                ObjectNode ready = slots.start().get(timeout + 10_000, TimeUnit.MILLISECONDS);
                ready.put("worker", name);
                return ready;
            }
            case "churn" -> {
                Slots s = slots();
                double perSecond = cmd.path("per_second").asDouble(0);
                double presencePerSecond = cmd.path("presence_per_second").asDouble(0);
                state.loop.submit(() -> s.churn(perSecond, presencePerSecond)).get(30, TimeUnit.SECONDS);
                ObjectNode r = Json.object();
                r.put("type", "churn");
                return r;
            }
            case "slot_stats" -> {
                return state.loop.submit(slots()::stats).get(30, TimeUnit.SECONDS);
            }
            case "presence" -> {
                return state.loop.submit(slots()::presence).get(30, TimeUnit.SECONDS);
            }
            case "publish_log" -> {
                Slots s = slots();
                state.loop.submit(() -> s.appendLog(cmd)).get(60, TimeUnit.SECONDS);
                ObjectNode r = Json.object();
                r.put("type", "logged");
                return r;
            }
            case "verify" -> {
                Slots s = slots();
                ObjectNode r = state.loop.submit(() -> s.verify(cmd)).get(300, TimeUnit.SECONDS);
                r.put("worker", name);
                return r;
            }
            case "close" -> {
                if (slots != null) {
                    slots.closeAll().get(60, TimeUnit.SECONDS);
                }
                int closed = state.closeAll().get(60, TimeUnit.SECONDS);
                ObjectNode r = Json.object();
                r.put("type", "closed");
                r.put("closed", closed);
                return r;
            }
            case "exit" -> {
                return null;
            }
            default -> throw new IllegalArgumentException("unknown command '" + op + "'");
        }
    }

    private Slots slots() {
        if (slots == null) {
            throw new IllegalStateException("no slots: send \"slots\" first");
        }
        return slots;
    }

    private static List<URI> loopbackUrls(JsonNode cmd) {
        List<URI> urls = new ArrayList<>();
        for (JsonNode u : cmd.path("urls")) {
            URI uri = URI.create(u.asText());
            Loopback.requireLoopback(uri);
            urls.add(uri);
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(cmd.path("cmd").asText() + " without urls");
        }
        return urls;
    }

    private static String loopbackSource(JsonNode cmd) {
        String local = cmd.path("local").asText("127.0.0.1");
        if (!Loopback.isLoopback(local)) {
            throw new IllegalArgumentException("source address " + local + " is not loopback");
        }
        return local;
    }
}
