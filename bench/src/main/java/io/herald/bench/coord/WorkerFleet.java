package io.herald.bench.coord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.Loopback;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The worker processes of one scenario. Subscriber {@code g} of {@code total} goes to worker
 * {@code g * K / total} (contiguous slices), subscribes to channel {@code g % channels}, and
 * connects from 127.0.0.(2+k).
 */
public final class WorkerFleet implements AutoCloseable {
    /** No worker holds more connections than this (a process may have at most 20,000 open files). */
    public static final int MAX_CONNECTIONS_PER_WORKER = 15_000;
    /** Default slice when --workers is not given. */
    public static final int DEFAULT_CONNECTIONS_PER_WORKER = 10_000;

    private final List<WorkerProcess> workers = new ArrayList<>();

    private WorkerFleet() {}

    /** How many workers {@code connections} need: {@code requested} if > 0, else one per 10,000. */
    public static int workerCount(int connections, int requested) {
        int minimum = Math.max(1, (connections + MAX_CONNECTIONS_PER_WORKER - 1) / MAX_CONNECTIONS_PER_WORKER);
        if (requested > 0) {
            if (requested < minimum) {
                throw new IllegalArgumentException("--workers " + requested + " would put more than " + MAX_CONNECTIONS_PER_WORKER
                        + " connections in one process; use at least " + minimum);
            }
            return requested;
        }
        return Math.max(1, (connections + DEFAULT_CONNECTIONS_PER_WORKER - 1) / DEFAULT_CONNECTIONS_PER_WORKER);
    }

    public static WorkerFleet start(int count, String java, String classPath, List<String> jvmOpts) throws IOException {
        WorkerFleet fleet = new WorkerFleet();
        try {
            for (int k = 0; k < count; k++) {
                fleet.workers.add(WorkerProcess.start(k, java, classPath, jvmOpts));
            }
        } catch (IOException | RuntimeException e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    public int size() {
        return workers.size();
    }

    public List<Long> pids() {
        return workers.stream().map(WorkerProcess::pid).toList();
    }

    /** Result of connecting every subscriber. */
    public record Connected(int requested, int subscribed, int[] perChannel, double elapsedMillis, List<JsonNode> replies) {
        public ObjectNode failureReasons() {
            ObjectNode all = Json.object();
            for (JsonNode r : replies) {
                r.path("failure_reasons").properties().forEach(e ->
                        all.put(e.getKey(), all.path(e.getKey()).asInt(0) + e.getValue().asInt()));
            }
            return all;
        }
    }

    /**
     * Opens {@code total} subscribed connections spread over the workers; returns when every worker
     * has finished (all subscribed, failed, or {@code timeoutMillis} passed).
     */
    public Connected connect(List<URI> urls, int total, int channels, String prefix, int concurrencyPerWorker,
                             long timeoutMillis) throws IOException {
        long start = System.nanoTime();
        int k = workers.size();
        for (int w = 0; w < k; w++) {
            int first = (int) ((long) total * w / k);
            int end = (int) ((long) total * (w + 1) / k);
            ObjectNode cmd = Json.object();
            cmd.put("cmd", "connect");
            var array = cmd.putArray("urls");
            urls.forEach(u -> array.add(u.toString()));
            cmd.put("local", Loopback.sourceAddress(w));
            cmd.put("first", first);
            cmd.put("count", end - first);
            cmd.put("channels", channels);
            cmd.put("prefix", prefix);
            cmd.put("concurrency", concurrencyPerWorker);
            cmd.put("timeout_ms", timeoutMillis);
            workers.get(w).send(cmd);
        }
        int subscribed = 0;
        int[] perChannel = new int[channels];
        List<JsonNode> replies = new ArrayList<>();
        for (WorkerProcess worker : workers) {
            JsonNode ready = worker.receive(timeoutMillis + 30_000);
            replies.add(ready);
            subscribed += ready.path("subscribed").asInt();
            JsonNode per = ready.path("subscribed_per_channel");
            for (int c = 0; c < channels && c < per.size(); c++) {
                perChannel[c] += per.get(c).asInt();
            }
        }
        return new Connected(total, subscribed, perChannel, (System.nanoTime() - start) / 1e6, replies);
    }

    /** Sends worker k the command {@code commandFor.apply(k)}, then collects every answer, in worker order. */
    public List<JsonNode> requestEach(java.util.function.IntFunction<ObjectNode> commandFor, long timeoutMillis) throws IOException {
        for (int k = 0; k < workers.size(); k++) {
            workers.get(k).send(commandFor.apply(k));
        }
        List<JsonNode> replies = new ArrayList<>();
        for (WorkerProcess w : workers) {
            replies.add(w.receive(timeoutMillis));
        }
        return replies;
    }

    /** Sends one command to every worker, then collects every answer. */
    public List<JsonNode> broadcast(String command, long timeoutMillis) throws IOException {
        ObjectNode cmd = Json.object();
        cmd.put("cmd", command);
        for (WorkerProcess w : workers) {
            w.send(cmd);
        }
        List<JsonNode> replies = new ArrayList<>();
        for (WorkerProcess w : workers) {
            replies.add(w.receive(timeoutMillis));
        }
        return replies;
    }

    public void reset() throws IOException {
        broadcast("reset", 30_000);
    }

    public void closeConnections() throws IOException {
        broadcast("close", 90_000);
    }

    /** Sum of one numeric field over the workers' stats. */
    public long sumStats(String field) throws IOException {
        long sum = 0;
        for (JsonNode s : broadcast("stats", 30_000)) {
            sum += s.path(field).asLong();
        }
        return sum;
    }

    /** How a wait for deliveries ended: the count, and when the last one arrived (nanoTime, 0 if none). */
    public record Drained(long delivered, long lastDeliveryNanos) {}

    /**
     * Polls the workers until {@code expected} deliveries arrived, none arrived for
     * {@code stallMillis}, or {@code maxMillis} passed.
     */
    public Drained awaitDelivered(long expected, long stallMillis, long maxMillis) throws IOException {
        long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true) {
            long delivered = 0;
            long lastDelivery = 0;
            for (JsonNode s : broadcast("stats", 30_000)) {
                delivered += s.path("delivered").asLong();
                lastDelivery = Math.max(lastDelivery, s.path("last_delivery_nanos").asLong());
            }
            long now = System.nanoTime();
            if (delivered >= expected) {
                return new Drained(delivered, lastDelivery);
            }
            if (delivered != last) {
                last = delivered;
                lastChange = now;
            } else if (now - lastChange > stallMillis * 1_000_000L || now - start > maxMillis * 1_000_000L) {
                return new Drained(delivered, lastDelivery);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    /** The final counts of every worker, with their latency histograms merged. */
    public record Report(long delivered, long duplicates, long warmupReceived, long unparsed, long pusherErrors,
                         long closedAfterSubscribe, long open, ObjectNode closeReasons, Histogram latencyMicros) {}

    public Report report() throws IOException {
        Histogram merged = new Histogram(java.util.concurrent.TimeUnit.HOURS.toMicros(1), 3);
        long delivered = 0;
        long duplicates = 0;
        long warmup = 0;
        long unparsed = 0;
        long errors = 0;
        long closed = 0;
        long open = 0;
        ObjectNode reasons = Json.object();
        for (JsonNode r : broadcast("report", 60_000)) {
            delivered += r.path("delivered").asLong();
            duplicates += r.path("duplicates").asLong();
            warmup += r.path("warmup_received").asLong();
            unparsed += r.path("unparsed").asLong();
            errors += r.path("pusher_errors").asLong();
            closed += r.path("closed_after_subscribe").asLong();
            open += r.path("open").asLong();
            r.path("close_reasons").properties().forEach(e ->
                    reasons.put(e.getKey(), reasons.path(e.getKey()).asInt(0) + e.getValue().asInt()));
            merged.add(decode(r.path("histogram").asText()));
        }
        return new Report(delivered, duplicates, warmup, unparsed, errors, closed, open, reasons, merged);
    }

    static Histogram decode(String base64) throws IOException {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IOException("bad histogram from worker: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        workers.forEach(WorkerProcess::requestExit);
        workers.forEach(WorkerProcess::close);
    }
}
