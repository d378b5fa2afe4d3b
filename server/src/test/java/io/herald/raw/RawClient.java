package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A raw Pusher protocol client over the JDK's {@link WebSocket}: it speaks JSON frames by hand,
 * collects every text message (parsed as JSON; a non-JSON text is kept as a {@link TextNode}),
 * records pong frames and the close code/reason, and can stop asking for messages to mimic a
 * client that does not read.
 */
public final class RawClient implements AutoCloseable {
    public static final long TIMEOUT_SECONDS = 10;
    public static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS))
            .build();

    /** How the server ended the connection. */
    public record CloseInfo(int code, String reason) {}

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    private final boolean reading;
    private final boolean answerPings;
    private volatile WebSocket ws;
    private CompletableFuture<WebSocket> lastSend;
    private String socketId;

    private RawClient(boolean reading, boolean answerPings) {
        this.reading = reading;
        this.answerPings = answerPings;
    }

    // ---------------------------------------------------------------- connecting

    public static URI appUri(int port, String key) {
        return URI.create("ws://127.0.0.1:" + port + "/app/" + key + "?protocol=7&client=java&version=1");
    }

    /** Connects to {@code /app/{key}} with protocol 7, reading every message. */
    public static RawClient connect(int port, String key) {
        return connect(appUri(port, key), true, false);
    }

    /** Connects and consumes {@code pusher:connection_established}, remembering the socket id. */
    public static RawClient connectEstablished(int port, String key) {
        RawClient client = connect(port, key);
        client.awaitEstablished();
        return client;
    }

    /**
     * @param reading     false: never request messages from the WebSocket (a non-reading client)
     * @param answerPings true: answer every {@code pusher:ping} with {@code pusher:pong}
     */
    public static RawClient connect(URI uri, boolean reading, boolean answerPings) {
        try {
            return connectAsync(uri, reading, answerPings).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("WebSocket connect to " + uri + " failed", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("WebSocket connect to " + uri + " failed", e);
        }
    }

    /** The raw handshake future: fails with a {@link WebSocketHandshakeException} on a non-101 answer. */
    public static CompletableFuture<RawClient> connectAsync(URI uri, boolean reading, boolean answerPings) {
        RawClient client = new RawClient(reading, answerPings);
        return HTTP.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                .buildAsync(uri, client.listener())
                .thenApply(ws -> client);
    }

    /** The HTTP status of a refused upgrade to {@code uri}. */
    public static int upgradeStatus(URI uri) {
        try {
            RawClient client = connectAsync(uri, true, false).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            client.abort();
            return 101;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw new IllegalStateException("upgrade to " + uri + " failed without an HTTP answer", cause);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("upgrade to " + uri + " timed out", e);
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                synchronized (RawClient.this) {
                    ws = webSocket;
                    lastSend = CompletableFuture.completedFuture(webSocket);
                }
                if (reading) {
                    webSocket.request(Long.MAX_VALUE);
                }
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String whole = text.toString();
                    text.setLength(0);
                    JsonNode node;
                    try {
                        node = JSON.readTree(whole);
                    } catch (Exception e) {
                        node = TextNode.valueOf(whole);
                    }
                    if (node == null) {
                        node = TextNode.valueOf(whole);
                    }
                    if (answerPings && "pusher:ping".equals(node.path("event").asText())) {
                        sendAsync("{\"event\":\"pusher:pong\",\"data\":{}}");
                    }
                    messages.add(node);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
                ByteBuffer copy = ByteBuffer.allocate(message.remaining());
                copy.put(message).flip();
                pongs.add(copy);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(new CloseInfo(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.completeExceptionally(error);
            }
        };
    }

    private static final java.util.concurrent.atomic.AtomicInteger HEALTH = new java.util.concurrent.atomic.AtomicInteger();

    /** A brand-new client can still connect and subscribe to a public channel. */
    public static void assertServerServes(int port, String key) {
        try (RawClient fresh = connectEstablished(port, key)) {
            fresh.subscribeOk("health-check-" + HEALTH.incrementAndGet());
        }
    }

    // ---------------------------------------------------------------- sending

    private synchronized CompletableFuture<WebSocket> chain(
            java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> send) {
        // The JDK WebSocket allows one outstanding send of each kind: chain them.
        lastSend = lastSend.exceptionally(e -> ws).thenCompose(send);
        return lastSend;
    }

    private CompletableFuture<WebSocket> sendAsync(String text) {
        return chain(w -> w.sendText(text, true));
    }

    private static void await(CompletableFuture<?> future, String what) {
        try {
            future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(what + " failed", e);
        }
    }

    /** Sends one complete text frame. */
    public RawClient send(String text) {
        await(sendAsync(text), "send text");
        return this;
    }

    /** Sends a JSON message. */
    public RawClient send(JsonNode message) {
        return send(message.toString());
    }

    /** Sends one text fragment (a raw frame: {@code last=false} leaves the message open). */
    public RawClient sendFragment(String part, boolean last) {
        await(chain(w -> w.sendText(part, last)), "send text fragment");
        return this;
    }

    /** Sends one binary frame. */
    public RawClient sendBinary(byte[] bytes) {
        await(chain(w -> w.sendBinary(ByteBuffer.wrap(bytes), true)), "send binary");
        return this;
    }

    /** Sends a WebSocket-level ping frame. */
    public RawClient sendPingFrame(byte[] payload) {
        await(chain(w -> w.sendPing(ByteBuffer.wrap(payload))), "send ping frame");
        return this;
    }

    /** Starts the closing handshake with the given code. */
    public RawClient sendClose(int code, String reason) {
        await(chain(w -> w.sendClose(code, reason)), "send close");
        return this;
    }

    /** Lets a non-reading client read n more messages. */
    public void request(long n) {
        ws.request(n);
    }

    public RawClient event(String event, String channel, Object data) {
        ObjectNode node = JSON.createObjectNode().put("event", event);
        if (channel != null) {
            node.put("channel", channel);
        }
        if (data instanceof JsonNode json) {
            node.set("data", json);
        } else if (data != null) {
            node.put("data", data.toString());
        }
        return send(node);
    }

    public RawClient subscribe(String channel) {
        return event("pusher:subscribe", null, JSON.createObjectNode().put("channel", channel));
    }

    public RawClient subscribe(String channel, String auth, String channelData) {
        ObjectNode data = JSON.createObjectNode().put("channel", channel);
        if (auth != null) {
            data.put("auth", auth);
        }
        if (channelData != null) {
            data.put("channel_data", channelData);
        }
        return event("pusher:subscribe", null, data);
    }

    // ---------------------------------------------------------------- receiving

    /** The next text message, failing after 10 s. */
    public JsonNode next() {
        try {
            JsonNode node = messages.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (node == null) {
                fail("no message within " + TIMEOUT_SECONDS + " s" + closeNote());
            }
            return node;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next message, which must be the given event. */
    public JsonNode expect(String event) {
        JsonNode node = next();
        assertThat(node.path("event").asText()).as("event of %s", node).isEqualTo(event);
        return node;
    }

    /** Skips messages until the given event arrives (10 s per message). */
    public JsonNode skipUntil(String event) {
        while (true) {
            JsonNode node = next();
            if (event.equals(node.path("event").asText())) {
                return node;
            }
        }
    }

    /** Messages already received and not yet consumed. */
    public List<JsonNode> drain() {
        List<JsonNode> out = new ArrayList<>();
        messages.drainTo(out);
        return out;
    }

    /**
     * Sends {@code pusher:ping} and returns every message received before the matching
     * {@code pusher:pong}: the server handles a connection's frames in order, so this is a
     * barrier proving that nothing else was sent in answer to earlier frames.
     */
    public List<JsonNode> untilPong() {
        event("pusher:ping", null, JSON.createObjectNode());
        List<JsonNode> before = new ArrayList<>();
        while (true) {
            JsonNode node = next();
            if ("pusher:pong".equals(node.path("event").asText())) {
                return before;
            }
            before.add(node);
        }
    }

    public String awaitEstablished() {
        JsonNode node = expect("pusher:connection_established");
        socketId = parseData(node).path("socket_id").asText();
        return socketId;
    }

    public String socketId() {
        assertThat(socketId).as("socket id (connection_established consumed?)").isNotNull();
        return socketId;
    }

    /** Subscribes to a public channel and waits for its subscription_succeeded. */
    public JsonNode subscribeOk(String channel) {
        subscribe(channel);
        return expectSubscribed(channel);
    }

    public JsonNode expectSubscribed(String channel) {
        JsonNode node = expect("pusher_internal:subscription_succeeded");
        assertThat(node.path("channel").asText()).isEqualTo(channel);
        return node;
    }

    /** The next message, which must be a pusher:error; returns its data object. */
    public JsonNode expectError() {
        JsonNode node = expect("pusher:error");
        JsonNode data = node.path("data");
        assertThat(data.isObject()).as("pusher:error data is an object: %s", node).isTrue();
        assertThat(data.has("code")).as("pusher:error data has code: %s", node).isTrue();
        assertThat(data.path("message").asText()).as("pusher:error message: %s", node).isNotBlank();
        return data;
    }

    /** Expects a pusher:error with the given code (null = JSON null). */
    public JsonNode expectError(Integer code) {
        JsonNode data = expectError();
        if (code == null) {
            assertThat(data.get("code").isNull()).as("code null in %s", data).isTrue();
        } else {
            assertThat(data.get("code").isIntegralNumber()).as("integer code in %s", data).isTrue();
            assertThat(data.get("code").asInt()).as("code in %s", data).isEqualTo(code);
        }
        return data;
    }

    public ByteBuffer nextPongFrame() {
        try {
            ByteBuffer pong = pongs.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (pong == null) {
                fail("no pong frame within " + TIMEOUT_SECONDS + " s" + closeNote());
            }
            return pong;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the server to close the connection and returns the code and reason. */
    public CloseInfo awaitClose() {
        try {
            return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("connection failed instead of closing cleanly: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("connection not closed within " + TIMEOUT_SECONDS + " s; unread messages: "
                    + abbreviate(messages.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    /**
     * Waits for the connection to end either way: the close frame's code and reason, or a
     * {@code CloseInfo(-1, error)} when the connection dropped without a close frame.
     */
    public CloseInfo awaitEnd() {
        try {
            return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return new CloseInfo(-1, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new AssertionError("connection did not end within " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Number of text messages received and not yet consumed. */
    public int pending() {
        return messages.size();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    private String closeNote() {
        if (!closed.isDone()) {
            return "";
        }
        try {
            return " (closed: " + closed.getNow(null) + ")";
        } catch (Exception e) {
            return " (failed: " + e.getCause() + ")";
        }
    }

    /** Parses the JSON-string data of a server {@code pusher:*} event. */
    public static JsonNode parseData(JsonNode message) {
        JsonNode data = message.path("data");
        assertThat(data.isTextual()).as("data is a JSON string in %s", message).isTrue();
        try {
            return JSON.readTree(data.asText());
        } catch (Exception e) {
            throw new AssertionError("data is not JSON in " + message, e);
        }
    }

    public void abort() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
    }

    @Override
    public void close() {
        abort();
    }
}
