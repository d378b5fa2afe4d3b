package io.herald.bench.coord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.Loopback;
import io.herald.bench.SlotLayout;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * The coordinator's side of the soak and chaos fleets: the slots of a {@link SlotLayout} spread
 * over the worker processes in contiguous slices (worker k holds slots [total*k/K, total*(k+1)/K)
 * and connects from 127.0.0.(2+k)), with churn, the presence members they hold, and the delivery
 * check. The protocol is documented on {@code worker.Worker}.
 */
public final class SlotFleet {
    private final WorkerFleet fleet;
    private final SlotLayout layout;

    public SlotFleet(WorkerFleet fleet, SlotLayout layout) {
        this.fleet = fleet;
        this.layout = layout;
    }

    public SlotLayout layout() {
        return layout;
    }

    /** What opening every slot once gave. */
    public record Opened(int requested, int subscribed, double elapsedMillis, ObjectNode failureReasons) {}

    /**
     * Opens every slot (session {@code 0} of slot {@code g} goes to {@code urls[g % urls.size()]});
     * returns when each is subscribed or failed, or after {@code timeoutMillis}.
     */
    public Opened open(List<URI> urls, String key, String secret, int concurrencyPerWorker, long timeoutMillis,
                       long reconnectMillis) throws IOException {
        long start = System.nanoTime();
        int k = fleet.size();
        List<JsonNode> replies = fleet.requestEach(w -> {
            int first = (int) ((long) layout.total() * w / k);
            int end = (int) ((long) layout.total() * (w + 1) / k);
            ObjectNode cmd = Json.object();
            cmd.put("cmd", "slots");
            ArrayNode array = cmd.putArray("urls");
            urls.forEach(u -> array.add(u.toString()));
            cmd.put("local", Loopback.sourceAddress(w));
            cmd.put("first", first);
            cmd.put("count", end - first);
            cmd.set("layout", layout.toJson());
            cmd.put("key", key);
            cmd.put("secret", secret);
            cmd.put("concurrency", concurrencyPerWorker);
            cmd.put("timeout_ms", timeoutMillis);
            cmd.put("reconnect_ms", reconnectMillis);
            return cmd;
        }, timeoutMillis + 30_000);
        int subscribed = 0;
        ObjectNode reasons = Json.object();
        for (JsonNode r : replies) {
            subscribed += r.path("subscribed").asInt();
            r.path("failure_reasons").properties().forEach(e ->
                    reasons.put(e.getKey(), reasons.path(e.getKey()).asInt(0) + e.getValue().asInt()));
        }
        return new Opened(layout.total(), subscribed, (System.nanoTime() - start) / 1e6, reasons);
    }

    /** Sessions closed and opened again per second, over the whole fleet (each worker takes its share). */
    public void churn(double perSecond, double presencePerSecond) throws IOException {
        int k = fleet.size();
        fleet.requestEach(w -> {
            ObjectNode cmd = Json.object();
            cmd.put("cmd", "churn");
            cmd.put("per_second", perSecond / k);
            cmd.put("presence_per_second", presencePerSecond / k);
            return cmd;
        }, 30_000);
    }

    /** The workers' counters, summed (reason maps merged). */
    public ObjectNode stats() throws IOException {
        ObjectNode sum = Json.object();
        ObjectNode failures = Json.object();
        ObjectNode closes = Json.object();
        for (JsonNode r : fleet.broadcast("slot_stats", 30_000)) {
            for (String f : List.of("slots", "open", "subscribed", "sessions", "delivered", "duplicates", "churn_closes", "reconnects",
                    "unexpected_closes", "connect_failures", "pusher_errors", "unparsed")) {
                sum.put(f, sum.path(f).asLong(0) + r.path(f).asLong());
            }
            if (r.has("last_pusher_error")) {
                sum.put("last_pusher_error", r.path("last_pusher_error").asText());
            }
            merge(failures, r.path("failure_reasons"));
            merge(closes, r.path("close_reasons"));
        }
        sum.set("failure_reasons", failures);
        sum.set("close_reasons", closes);
        return sum;
    }

    /** Presence members the bench holds right now: subscribed per channel, plus ids whose subscribe is unanswered. */
    public record Presence(Map<String, Set<String>> members, Set<String> uncertain, int pending) {}

    public Presence presence() throws IOException {
        Map<String, Set<String>> members = new TreeMap<>();
        for (String ch : layout.presenceChannelNames()) {
            members.put(ch, new TreeSet<>());
        }
        Set<String> uncertain = new HashSet<>();
        int pending = 0;
        for (JsonNode r : fleet.broadcast("presence", 30_000)) {
            r.path("members").properties().forEach(e -> {
                Set<String> ids = members.computeIfAbsent(e.getKey(), c -> new TreeSet<>());
                e.getValue().forEach(id -> ids.add(id.asText()));
            });
            r.path("uncertain").forEach(id -> uncertain.add(id.asText()));
            pending += r.path("pending").asInt();
        }
        return new Presence(members, uncertain, pending);
    }

    /** Waits until no presence slot is between sessions (at most {@code maxMillis}); returns the last reading. */
    public Presence awaitPresenceSettled(long maxMillis) throws IOException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (true) {
            Presence p = presence();
            if (p.pending() == 0 || System.nanoTime() > deadline) {
                return p;
            }
            sleep(200);
        }
    }

    /** Sends the log of accepted publishes to every worker, in chunks. {@code outage[i]}: accepted while the backend was down. */
    public void sendLog(io.herald.bench.http.PublishLog.Entries log, boolean[] outage) throws IOException {
        int chunk = 5000;
        int n = log.size();
        List<Integer> accepted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (log.accepted(i)) {
                accepted.add(i);
            }
        }
        for (int from = 0; from < accepted.size() || from == 0; from += chunk) {
            ObjectNode cmd = Json.object();
            cmd.put("cmd", "publish_log");
            cmd.put("reset", from == 0);
            ArrayNode seq = cmd.putArray("seq");
            ArrayNode ch = cmd.putArray("ch");
            ArrayNode node = cmd.putArray("node");
            ArrayNode sent = cmd.putArray("sent");
            ArrayNode ack = cmd.putArray("ack");
            ArrayNode phase = cmd.putArray("phase");
            ArrayNode out = cmd.putArray("outage");
            for (int j = from; j < Math.min(accepted.size(), from + chunk); j++) {
                int i = accepted.get(j);
                seq.add(i);
                ch.add(log.channel(i));
                node.add(log.node(i));
                sent.add(log.sentNanos(i));
                ack.add(log.ackNanos(i));
                phase.add(log.phase(i));
                out.add(outage != null && outage[i] ? 1 : 0);
            }
            fleet.requestEach(w -> cmd, 60_000);
            if (accepted.isEmpty()) {
                break;
            }
        }
    }

    /** Node {@code node} could not serve its clients from {@code from} to {@code to} (nanoTime). */
    public record Dead(int node, long from, long to) {}

    /** The delivery check's counts per phase, summed over the workers. */
    public record Verdict(long[] expected, long[] delivered, long[] expectedNotPromised, long[] deliveredNotPromised,
                          long[] duplicates, long duplicatesOfUnknownPublishes, long sessions, List<String> lostExamples,
                          Histogram latencyMicros) {
        public long lost(int phase) {
            return expected[phase] - delivered[phase];
        }

        public long lostNotPromised(int phase) {
            return expectedNotPromised[phase] - deliveredNotPromised[phase];
        }

        public static long sum(long[] values) {
            long s = 0;
            for (long v : values) {
                s += v;
            }
            return s;
        }
    }

    public Verdict verify(int phases, long graceMillis, long endNanos, List<Dead> dead) throws IOException {
        ObjectNode cmd = Json.object();
        cmd.put("cmd", "verify");
        cmd.put("phases", phases);
        cmd.put("grace_ms", graceMillis);
        cmd.put("end_nanos", endNanos);
        ArrayNode d = cmd.putArray("dead");
        for (Dead x : dead) {
            d.addArray().add(x.node()).add(x.from()).add(x.to());
        }
        long[] expected = new long[phases];
        long[] delivered = new long[phases];
        long[] expectedNp = new long[phases];
        long[] deliveredNp = new long[phases];
        long[] duplicates = new long[phases];
        long unknown = 0;
        long sessions = 0;
        List<String> examples = new ArrayList<>();
        Histogram latency = new Histogram(java.util.concurrent.TimeUnit.HOURS.toMicros(1), 3);
        for (JsonNode r : fleet.requestEach(w -> cmd, 300_000)) {
            add(expected, r.path("expected"));
            add(delivered, r.path("delivered"));
            add(expectedNp, r.path("expected_not_promised"));
            add(deliveredNp, r.path("delivered_not_promised"));
            add(duplicates, r.path("duplicates"));
            unknown += r.path("duplicates_of_unknown_publishes").asLong();
            sessions += r.path("sessions").asLong();
            r.path("lost_examples").forEach(e -> {
                if (examples.size() < 10) {
                    examples.add(e.asText());
                }
            });
            latency.add(WorkerFleet.decode(r.path("histogram").asText()));
        }
        return new Verdict(expected, delivered, expectedNp, deliveredNp, duplicates, unknown, sessions, examples, latency);
    }

    /** Waits until the workers' delivery count stops moving for {@code stallMillis} (at most {@code maxMillis}). */
    public long awaitDeliveriesSettled(long stallMillis, long maxMillis) throws IOException {
        long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true) {
            long delivered = 0;
            for (JsonNode s : fleet.broadcast("slot_stats", 30_000)) {
                delivered += s.path("delivered").asLong();
            }
            long now = System.nanoTime();
            if (delivered != last) {
                last = delivered;
                lastChange = now;
            } else if (now - lastChange > stallMillis * 1_000_000L) {
                return delivered;
            }
            if (now - start > maxMillis * 1_000_000L) {
                return delivered;
            }
            sleep(250);
        }
    }

    private static void add(long[] into, JsonNode values) {
        for (int i = 0; i < into.length && i < values.size(); i++) {
            into[i] += values.get(i).asLong();
        }
    }

    private static void merge(ObjectNode into, JsonNode reasons) {
        reasons.properties().forEach(e -> into.put(e.getKey(), into.path(e.getKey()).asInt(0) + e.getValue().asInt()));
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
