package io.herald.limits;

import io.herald.app.App;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiClient;
import io.herald.raw.RawClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Configurations, apps and raw HTTP helpers for the rate-limit tests (HTTP requests with an X-Forwarded-For header). */
final class LimitServers {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(RawClient.TIMEOUT_SECONDS))
            .build();

    private LimitServers() {}

    /** The same configuration with another {@code rate_limiter} block. */
    static HeraldConfig withRateLimiter(HeraldConfig c, HeraldConfig.RateLimiterConfig rateLimiter) {
        return c.toBuilder().rateLimiter(rateLimiter).build();
    }

    /** An enabled rate limiter with the given driver, limits and X-Forwarded-For trust. */
    static HeraldConfig.RateLimiterConfig rateLimiter(String driver, int apiMax, int websocketMax, boolean trustForwardedFor,
                                                      String redisUrl, String redisPrefix) {
        HeraldConfig.RateLimiterBackend backend = driver.equals("memory") ? new HeraldConfig.RateLimiterBackend.Memory()
                : new HeraldConfig.RateLimiterBackend.Redis(new HeraldConfig.RedisEndpoint.Standalone(redisUrl), redisPrefix);
        return new HeraldConfig.RateLimiterConfig(true, backend, apiMax, 60, websocketMax, 60, trustForwardedFor);
    }

    /**
     * App {@code id} (key {@code id-key}, secret {@code id-secret}) with client events, watchlist
     * events and the given limits.
     */
    static App app(String id, int clientEventsPerSecond, int backendEventsPerSecond, int readRequestsPerSecond,
                   boolean subscriptionCountEvent) {
        return App.builder(id, id + "-key", id + "-secret").enableClientMessages(true)
                .maxClientEventsPerSecond(clientEventsPerSecond).maxBackendEventsPerSecond(backendEventsPerSecond)
                .maxReadRequestsPerSecond(readRequestsPerSecond).enableWatchlistEvents(true)
                .enableSubscriptionCountEvent(subscriptionCountEvent).build();
    }

    static ApiClient api(int port, App app) {
        return new ApiClient(port, app.key(), app.secret());
    }

    /** A signed GET (or unsigned when {@code api} is null) with an X-Forwarded-For header (null: none). */
    static HttpResponse<String> get(int port, ApiClient api, String path, String forwardedFor) {
        Map<String, String> params = api == null ? Map.of()
                : api.signedParams("GET", path, null, ApiClient.now(), Map.of());
        String query = params.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + path + (query.isEmpty() ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(RawClient.TIMEOUT_SECONDS))
                .GET();
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }

    /** The HTTP status of a WebSocket upgrade to {@code /app/{key}} (101 when it succeeded) and the refusal's Retry-After. */
    record Upgrade(int status, String retryAfter, String body) {}

    static Upgrade upgrade(int port, String key, String forwardedFor) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(RawClient.TIMEOUT_SECONDS));
        if (forwardedFor != null) {
            builder.header("X-Forwarded-For", forwardedFor);
        }
        try {
            WebSocket ws = builder.buildAsync(RawClient.appUri(port, key), new WebSocket.Listener() {})
                    .get(RawClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            ws.abort();
            return new Upgrade(101, null, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof WebSocketHandshakeException handshake) {
                HttpResponse<?> response = handshake.getResponse();
                return new Upgrade(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null),
                        String.valueOf(response.body()));
            }
            throw new IllegalStateException("upgrade failed without an HTTP answer", cause);
        } catch (Exception e) {
            throw new IllegalStateException("upgrade failed", e);
        }
    }

    /**
     * Runs a check that must fit in one window of the per-second limits. The per-app limits count
     * in wall-clock seconds and the client-event limit in windows opened by the first event, so the
     * check starts just after a wall-clock second begins, and counts only if it ended within that
     * same second and within 800 ms. A check that did not (a very slow machine) proves nothing
     * either way: it runs again, at most three times. The check must use fresh state (channels,
     * apps) each time or tolerate repetition.
     */
    static void withinOneSecond(Runnable check) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Thread.sleep(1000 - System.currentTimeMillis() % 1000 + 5); // the start of the next second
            long second = System.currentTimeMillis() / 1000;
            long started = System.nanoTime();
            AssertionError failure = null;
            try {
                check.run();
            } catch (AssertionError e) {
                failure = e;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            boolean oneWindow = millis < 800 && System.currentTimeMillis() / 1000 == second;
            if (oneWindow || attempt == 3) {
                if (failure != null) {
                    throw failure;
                }
                return;
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
