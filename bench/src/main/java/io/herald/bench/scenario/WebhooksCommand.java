package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.http.WebhookSink;
import io.herald.bench.proc.CpuModes;
import io.herald.bench.proc.ProcStats;
import io.herald.bench.target.RunningServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "webhooks", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Webhooks: client events at a fixed rate, each posted as a client_event webhook.",
                "%nS senders, each subscribed to a private channel of its own, send R client events/s in all; the app's one "
                        + "webhook (client_event) points at a receiver in the bench that answers 200 at once. Reports "
                        + "webhooks/s, lost and doubled webhooks, event-to-webhook latency and webhooks per server CPU-second "
                        + "(user and system apart). --queue picks Herald's queue driver (memory, or redis on 127.0.0.1:6379); "
                        + "soketi posts each webhook itself (its sync queue)."})
public final class WebhooksCommand extends ScenarioCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--senders", defaultValue = "10", description = "Connections sending client events (default: ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--rate", defaultValue = "1000", description = "Client events per second, all senders together (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "10", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", defaultValue = "3", description = "Seconds of unmeasured events first (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--queue", defaultValue = "memory", paramLabel = "memory|redis",
            description = "Herald's queue.driver (default: ${DEFAULT-VALUE}); redis uses REDIS_URL or redis://127.0.0.1:6379.")
    String queue;

    @Option(names = "--batching", description = "Herald: webhooks.batching.enabled (50 ms windows); soketi: its batching.")
    boolean batching;

    private WebhookSink sink;

    @Override
    protected String scenario() {
        return "webhooks";
    }

    @Override
    protected void validate() {
        if (senders < 1 || rate <= 0 || duration <= 0 || warmup < 0 || !(queue.equals("memory") || queue.equals("redis"))) {
            throw new IllegalArgumentException("webhooks needs --senders >= 1, --rate > 0, --duration > 0, --queue memory|redis");
        }
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("senders", senders);
        p.put("rate", rate);
        p.put("duration_s", duration);
        p.put("warmup_s", warmup);
        p.put("queue", queue);
        p.put("batching", batching);
        return p;
    }

    @Override
    protected void prepare() throws Exception {
        sink = ctx.track(new WebhookSink());
    }

    @Override
    protected Map<String, String> serverEnv(String name) {
        String webhooks = "[{\"url\":\"" + sink.url("/hooks") + "\",\"event_types\":[\"client_event\"]}]";
        Map<String, String> env = new LinkedHashMap<>();
        if (name.startsWith("herald")) {
            env.put("SOCKUDO_DEFAULT_APP_ID", target.appId);
            env.put("SOCKUDO_DEFAULT_APP_KEY", target.appKey);
            env.put("SOCKUDO_DEFAULT_APP_SECRET", target.appSecret);
            env.put("SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true");
            // Each sender sends rate/senders events a second; Herald's default of 10 would measure the limit.
            env.put("SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND", "1000000");
            env.put("SOCKUDO_DEFAULT_APP_WEBHOOKS", webhooks);
            env.put("QUEUE_DRIVER", queue);
            if (queue.equals("redis")) {
                env.put("REDIS_URL", System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
                env.put("QUEUE_REDIS_PREFIX", "herald_bench_" + ctx.runId() + ":");
            }
            env.put("WEBHOOK_BATCHING_ENABLED", Boolean.toString(batching));
        } else {
            env.put("CLIENT_MESSAGES", "true");
            env.put("SOKETI_DEFAULT_APP_WEBHOOKS", webhooks);
            env.put("SOKETI_WEBHOOKS_BATCHING", Boolean.toString(batching));
        }
        return env;
    }

    @Override
    protected ObjectNode measure(RunningServer server) throws Exception {
        List<Sender> connections = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        try {
            for (int i = 0; i < senders; i++) {
                connections.add(Sender.open(http, server.webSocketUri(target.appKey), "private-bench-hooks-" + i,
                        target.appKey, target.appSecret));
            }
            progress(senders + " sender(s) subscribed; " + warmup + " s of warm-up at " + rate + " client events/s");
            send(connections, -1, warmup);
            CompletableFuture.allOf(connections.stream().map(s -> s.last).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            awaitQuiet(2);
            sink.resetMeasured();
            List<Long> benchPids = List.of(ProcessHandle.current().pid());
            CpuModes modes = CpuModes.start(java.util.stream.Stream.concat(server.pids().stream(), benchPids.stream()).toList());
            ProcStats.Sample server0 = ProcStats.sample(server.pids());
            ProcStats.Sample bench0 = ProcStats.sample(benchPids);
            long start = System.nanoTime();
            int sent = send(connections, 0, duration);
            CompletableFuture.allOf(connections.stream().map(s -> s.last).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            WebhookSink.Counts counts = awaitAll(sent, 30);
            ProcStats.Sample server1 = ProcStats.sample(server.pids());
            ProcStats.Sample bench1 = ProcStats.sample(benchPids);
            CpuModes.Samples modeSamples = modes.stop();
            double window = Math.max(duration, (counts.lastArrivalNanos() - start) / 1e9);
            ObjectNode r = Json.object();
            r.put("sent", sent);
            r.put("expected", sent);
            r.put("received", counts.distinctMeasured());
            r.put("lost", Math.max(0, sent - counts.distinctMeasured()));
            r.put("duplicates", counts.duplicates());
            r.put("posts", counts.posts());
            r.put("webhooks_per_s", Json.round3(counts.distinctMeasured() / window));
            double cpu = putCpu(r, "server", server0, server1, modeSamples, server.pids());
            r.put("webhooks_per_cpu_second", cpu > 0 ? Json.round3(counts.distinctMeasured() / cpu) : null);
            r.put("server_rss_kb", server1.rssKb());
            putCpu(r, "bench", bench0, bench1, modeSamples, benchPids);
            putOtherCpu(r, server1.machineBusySince(server0), cpu, bench1.cpuSince(bench0), (server1.nanoTime() - server0.nanoTime()) / 1e9);
            r.put("delivery_s", Json.round3(window));
            r.set("latency_ms", latencyMs(counts.latencyMicros()));
            return r;
        } finally {
            for (Sender s : connections) {
                s.close();
            }
        }
    }

    /**
     * Sends client events at the fixed rate for {@code seconds}, round-robin over the senders; event
     * i is due at start + i/R and carries that intended time. Sequence numbers from {@code firstSeq}
     * ({@code -1}: warm-up, counted down). Returns how many were sent.
     */
    private int send(List<Sender> connections, int firstSeq, double seconds) {
        long start = System.nanoTime();
        long total = Math.round(rate * seconds);
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int seq = firstSeq < 0 ? -1 - i : firstSeq + i;
            connections.get(i % connections.size()).clientEvent(seq + ":" + due);
        }
        return (int) total;
    }

    /** Waits until nothing arrived for {@code seconds}. */
    private void awaitQuiet(double seconds) throws InterruptedException {
        long quiet = (long) (seconds * 1e9);
        long last = sink.counts().events();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet) {
            Thread.sleep(100); // the receiver counts; nothing to wait on but time
            long now = sink.counts().events();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
    }

    /** Waits until every measured webhook arrived, or nothing came for 3 s, at most {@code maxSeconds}. */
    private WebhookSink.Counts awaitAll(int expected, double maxSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (true) {
            WebhookSink.Counts counts = sink.counts();
            if (counts.distinctMeasured() >= expected || System.nanoTime() > deadline
                    || System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(3)) {
                return counts;
            }
            if (counts.measuredEvents() != lastCount) {
                lastCount = counts.measuredEvents();
                lastChange = System.nanoTime();
            }
            Thread.sleep(20); // as above
        }
    }

    /** One WebSocket connection subscribed to a private channel, sending client events on it. */
    private static final class Sender implements WebSocket.Listener {
        private final CompletableFuture<String> socketId = new CompletableFuture<>();
        private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final String channel;
        private WebSocket socket;
        /** The last send: JDK WebSockets take one send at a time. */
        CompletableFuture<?> last = CompletableFuture.completedFuture(null);

        private Sender(String channel) {
            this.channel = channel;
        }

        static Sender open(HttpClient http, URI uri, String channel, String key, String secret) throws Exception {
            Sender sender = new Sender(channel);
            sender.socket = http.newWebSocketBuilder().buildAsync(uri, sender).get(10, TimeUnit.SECONDS);
            String id = sender.socketId.get(10, TimeUnit.SECONDS);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String auth = key + ":" + HexFormat.of().formatHex(mac.doFinal((id + ":" + channel).getBytes(StandardCharsets.UTF_8)));
            ObjectNode data = JSON.createObjectNode().put("channel", channel).put("auth", auth);
            sender.socket.sendText(JSON.createObjectNode().put("event", "pusher:subscribe").set("data", data).toString(), true)
                    .get(10, TimeUnit.SECONDS);
            sender.subscribed.get(10, TimeUnit.SECONDS);
            return sender;
        }

        void clientEvent(String data) {
            String frame = "{\"event\":\"client-bench\",\"channel\":\"" + channel + "\",\"data\":\"" + data + "\"}";
            last = last.thenCompose(done -> socket.sendText(frame, true));
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence text, boolean lastPart) {
            partial.append(text);
            if (lastPart) {
                String message = partial.toString();
                partial.setLength(0);
                try {
                    var json = JSON.readTree(message);
                    String event = json.path("event").asText();
                    if (event.equals("pusher:connection_established")) {
                        socketId.complete(JSON.readTree(json.path("data").asText()).path("socket_id").asText());
                    } else if (event.equals("pusher_internal:subscription_succeeded")) {
                        subscribed.complete(null);
                    } else if (event.equals("pusher:error")) {
                        subscribed.completeExceptionally(new IllegalStateException("server refused: " + message));
                    }
                } catch (java.io.IOException e) {
                    // not JSON: ignored
                }
            }
            webSocket.request(1);
            return null;
        }

        void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
