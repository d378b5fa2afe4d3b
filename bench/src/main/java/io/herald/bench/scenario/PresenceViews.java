package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.bench.Json;
import io.herald.bench.coord.SlotFleet;
import io.herald.bench.http.ApiSigner;
import io.herald.bench.target.RunningServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What each node says the members of each presence channel are, two ways: the HTTP API's
 * {@code GET /apps/{id}/channels/{channel}/users} (a query every node answers with its own
 * members), and the roster a new member gets in {@code subscription_succeeded}, read by a probe
 * connection that joins and leaves (it comes from the node's copy of the other nodes' members,
 * which is where a lost member_left leaves a ghost). The probe's own id, {@code probe-N}, is
 * left out of every comparison.
 */
final class PresenceViews implements AutoCloseable {
    static final String PROBE_PREFIX = "probe-";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final List<RunningServer> nodes;
    private final String appId;
    private final String key;
    private final List<String> channels;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ApiSigner signer;
    private final Mac mac;
    private final Probe[] probes;

    PresenceViews(List<RunningServer> nodes, String appId, String key, String secret, List<String> channels) {
        this.nodes = new ArrayList<>(nodes);
        this.appId = appId;
        this.key = key;
        this.channels = List.copyOf(channels);
        this.signer = new ApiSigner(key, secret);
        this.probes = new Probe[nodes.size()];
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            this.mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Node {@code k} was started again (maybe elsewhere): read it there from now on. */
    synchronized void setNode(int k, RunningServer node) {
        nodes.set(k, node);
        if (probes[k] != null) {
            probes[k].close();
            probes[k] = null;
        }
    }

    /** One node's list of one channel's members; {@code ids} is null when the node did not answer. */
    record View(int node, String source, String channel, Set<String> ids, String error) {}

    /** Every node's API answer and roster for every presence channel. */
    synchronized List<View> read() {
        List<View> views = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            for (String channel : channels) {
                views.add(apiUsers(k, channel));
                views.add(roster(k, channel));
            }
        }
        return views;
    }

    private View apiUsers(int k, String channel) {
        RunningServer node = nodes.get(k);
        String path = "/apps/" + appId + "/channels/" + channel + "/users";
        String uri = "http://" + node.host() + ":" + node.port() + signer.signedUri("GET", path, null, System.currentTimeMillis() / 1000);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return new View(k, "api", channel, null, "HTTP " + r.statusCode() + " " + Json.abbreviate(r.body(), 100));
            }
            Set<String> ids = new TreeSet<>();
            Json.parse(r.body()).path("users").forEach(u -> ids.add(u.path("id").asText()));
            return new View(k, "api", channel, ids, null);
        } catch (IOException e) {
            return new View(k, "api", channel, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new View(k, "api", channel, null, "interrupted");
        }
    }

    private View roster(int k, String channel) {
        try {
            if (probes[k] == null || !probes[k].isOpen()) {
                if (probes[k] != null) {
                    probes[k].close();
                }
                probes[k] = Probe.open(http, nodes.get(k).webSocketUri(key));
            }
            return new View(k, "roster", channel, probes[k].roster(channel, PROBE_PREFIX + k, mac, key), null);
        } catch (Exception e) {
            if (probes[k] != null) {
                probes[k].close();
                probes[k] = null;
            }
            return new View(k, "roster", channel, null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** How the views compare with the members the bench holds. */
    record Comparison(boolean agree, int unanswered, Set<String> ghosts, Set<String> missing, List<String> examples) {}

    /**
     * Ghosts: ids some view lists that the bench does not hold (it closed them, or their node
     * died). Missing: ids the bench holds that some view does not list. Ids whose subscribe is
     * still unanswered are left out of both.
     */
    static Comparison compare(List<View> views, SlotFleet.Presence truth) {
        Set<String> ghosts = new TreeSet<>();
        Set<String> missing = new TreeSet<>();
        List<String> examples = new ArrayList<>();
        int unanswered = 0;
        for (View v : views) {
            if (v.ids() == null) {
                unanswered++;
                if (examples.size() < 6) {
                    examples.add("node " + (v.node() + 1) + " " + v.source() + " " + v.channel() + ": no answer (" + v.error() + ")");
                }
                continue;
            }
            Set<String> expected = new TreeSet<>(truth.members().getOrDefault(v.channel(), Set.of()));
            expected.removeAll(truth.uncertain());
            Set<String> listed = new TreeSet<>(v.ids());
            listed.removeIf(id -> id.startsWith(PROBE_PREFIX) || truth.uncertain().contains(id));
            for (String id : listed) {
                if (!expected.contains(id) && ghosts.add(id) && examples.size() < 6) {
                    examples.add("ghost " + id + " listed by node " + (v.node() + 1) + " (" + v.source() + ") in " + v.channel());
                }
            }
            for (String id : expected) {
                if (!listed.contains(id) && missing.add(id) && examples.size() < 6) {
                    examples.add("member " + id + " missing at node " + (v.node() + 1) + " (" + v.source() + ") in " + v.channel());
                }
            }
        }
        return new Comparison(unanswered == 0 && ghosts.isEmpty() && missing.isEmpty(), unanswered, ghosts, missing, examples);
    }

    @Override
    public synchronized void close() {
        for (int k = 0; k < probes.length; k++) {
            if (probes[k] != null) {
                probes[k].close();
                probes[k] = null;
            }
        }
    }

    /** A WebSocket that joins a presence channel, reads the roster of subscription_succeeded, and leaves. */
    private static final class Probe implements WebSocket.Listener {
        private final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile boolean closed;
        private WebSocket socket;
        private String socketId;

        static Probe open(HttpClient http, URI uri) throws Exception {
            Probe p = new Probe();
            p.socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, p).get(3, TimeUnit.SECONDS);
            JsonNode established = p.await("pusher:connection_established", null);
            p.socketId = Json.parse(established.path("data").asText("{}")).path("socket_id").asText();
            return p;
        }

        boolean isOpen() {
            return !closed && !socket.isOutputClosed() && !socket.isInputClosed();
        }

        Set<String> roster(String channel, String userId, Mac mac, String key) throws Exception {
            messages.clear();
            String channelData = "{\"user_id\":" + Json.quote(userId) + ",\"user_info\":{}}";
            String auth = key + ":" + HexFormat.of().formatHex(mac.doFinal((socketId + ":" + channel + ":" + channelData)
                    .getBytes(StandardCharsets.UTF_8)));
            socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":" + Json.quote(channel) + ",\"auth\":"
                    + Json.quote(auth) + ",\"channel_data\":" + Json.quote(channelData) + "}}", true).get(3, TimeUnit.SECONDS);
            JsonNode ok = await("pusher_internal:subscription_succeeded", channel);
            socket.sendText("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":" + Json.quote(channel) + "}}", true)
                    .get(3, TimeUnit.SECONDS);
            Set<String> ids = new TreeSet<>();
            Json.parse(ok.path("data").asText("{}")).path("presence").path("ids").forEach(id -> ids.add(id.asText()));
            return ids;
        }

        private JsonNode await(String event, String channel) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                JsonNode m = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new IOException("no " + event + " within " + TIMEOUT.toSeconds() + " s");
                }
                String name = m.path("event").asText();
                if (name.equals("pusher:error")) {
                    throw new IOException("pusher:error " + m.path("data"));
                }
                if (name.equals(event) && (channel == null || channel.equals(m.path("channel").asText()))) {
                    return m;
                }
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence text, boolean last) {
            partial.append(text);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode m = Json.parse(message);
                    String event = m.path("event").asText();
                    if (event.equals("pusher:ping")) {
                        webSocket.sendText("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", true);
                    } else if (!event.startsWith("pusher_internal:member_")) {
                        messages.add(m);
                    }
                } catch (IllegalArgumentException e) {
                    // not JSON: ignored
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed = true;
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed = true;
        }

        void close() {
            closed = true;
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
