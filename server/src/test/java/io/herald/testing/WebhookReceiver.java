package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The webhook endpoint of a test: an HTTP server on a loopback port that records every POST and
 * answers with the statuses the test programs (200 by default). It can be taken down (connections
 * are then refused) and brought up again on the same port, or made to hold requests unanswered.
 */
public final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived, its body parsed once; header names lower-cased. */
    public record Received(String path, Map<String, String> headers, String body, JsonNode json, long receivedMillis) {
        static Received of(String path, Map<String, String> headers, String body) {
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                json = JSON.getNodeFactory().objectNode().put("unparsable_body", body);
            }
            return new Received(path, headers, body, json, System.currentTimeMillis());
        }

        /** The events of this POST. */
        public List<JsonNode> events() {
            List<JsonNode> events = new ArrayList<>();
            json.path("events").forEach(events::add);
            return events;
        }
    }

    private HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Map<String, ArrayDeque<Integer>> scripted = new HashMap<>();
    private CountDownLatch holding; // while set, requests wait on it unanswered
    private int downPort;

    private WebhookReceiver() {}

    public static WebhookReceiver start() {
        WebhookReceiver receiver = new WebhookReceiver();
        receiver.listen(0);
        return receiver;
    }

    private synchronized void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "webhook-receiver");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL of {@code path} on this receiver ({@code /hooks} style). */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next requests to {@code path} get these statuses, in order; later ones get 200. */
    public synchronized void respond(String path, int... statuses) {
        ArrayDeque<Integer> queue = scripted.computeIfAbsent(path, p -> new ArrayDeque<>());
        for (int status : statuses) {
            queue.add(status);
        }
    }

    /** Requests from now on are held without an answer until {@link #release}. */
    public synchronized void hold() {
        holding = new CountDownLatch(1);
    }

    public void release() {
        CountDownLatch latch;
        synchronized (this) {
            latch = holding;
            holding = null;
        }
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Stops listening: webhooks get "connection refused" until {@link #up}. */
    public void down() {
        int bound = port();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        synchronized (this) {
            downPort = bound;
        }
    }

    /** Listens again on the port it had. */
    public void up() {
        listen(downPort);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        String path = exchange.getRequestURI().getPath();
        CountDownLatch wait;
        int status;
        synchronized (this) {
            received.add(Received.of(path, headers, new String(body, StandardCharsets.UTF_8)));
            notifyAll();
            wait = holding;
            ArrayDeque<Integer> queue = scripted.get(path);
            status = queue == null || queue.isEmpty() ? 200 : queue.poll();
        }
        if (wait != null) {
            try {
                wait.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    /** Every request so far to {@code path}. */
    public synchronized List<Received> requests(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The first request to {@code path} that carried an event {@code name} of {@code channel}. */
    public synchronized Received requestWith(String path, String name, String channel) {
        return requests(path).stream().filter(r -> r.events().stream().anyMatch(event(name, channel)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " of " + channel + " at " + path));
    }

    /** Every event posted so far to {@code path}, in arrival order. */
    public synchronized List<JsonNode> events(String path) {
        List<JsonNode> events = new ArrayList<>();
        requests(path).forEach(request -> events.addAll(request.events()));
        return events;
    }

    /** The events posted to {@code path} that match. */
    public List<JsonNode> events(String path, Predicate<JsonNode> matching) {
        return events(path).stream().filter(matching).toList();
    }

    /** Waits until the events posted to {@code path} that match number at least {@code count}; returns them. */
    public List<JsonNode> awaitEvents(String path, Predicate<JsonNode> matching, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> found = new ArrayList<>();
        int scanned = 0; // requests already looked at: each is read once however often we wake
        synchronized (this) {
            while (true) {
                for (; scanned < received.size(); scanned++) {
                    Received request = received.get(scanned);
                    if (request.path().equals(path)) {
                        request.events().stream().filter(matching).forEach(found::add);
                    }
                }
                if (found.size() >= count) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<JsonNode> all = events(path);
                    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + count
                            + " matching event(s) at " + path + "; got " + found.size() + " of " + all.size()
                            + " event(s), the last ones: " + all.subList(Math.max(0, all.size() - 5), all.size()));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Waits until at least {@code count} requests reached {@code path}; returns them. */
    public List<Received> awaitRequests(String path, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (requests(path).size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + count + " request(s) at " + path + "; got "
                            + requests(path).size());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            return requests(path);
        }
    }

    /** Matches events by name and channel. */
    public static Predicate<JsonNode> event(String name, String channel) {
        return event -> name.equals(event.path("name").asText()) && channel.equals(event.path("channel").asText());
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
