package io.herald.ratelimit;

import io.herald.config.HeraldConfig.RateLimiterConfig;
import io.herald.events.ServerEvents;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * {@code rate_limiter}: requests per client IP to the HTTP API ({@code api_rate_limit}) and
 * WebSocket upgrades ({@code websocket_rate_limit}), counted by the configured driver. The client
 * IP is the socket's remote address; with {@code trust_hops} N (Sockudo's), the N-th
 * X-Forwarded-For address from the right, the one the outermost of N trusted proxies saw, which a
 * client cannot choose; with {@code trust_forwarded_for}, the first X-Forwarded-For address (only
 * behind a proxy that writes that header itself: a client could otherwise pick its own key).
 * Unlike Sockudo, X-Real-IP is never trusted.
 */
public final class HttpRateLimits implements AutoCloseable {
    /** Longest client-IP key kept (an IPv6 address with a zone fits); longer header values are cut. */
    private static final int MAX_IP_LENGTH = 64;

    private final RateLimiter limiter; // null when disabled
    private final RateLimiterConfig config;
    private final ServerEvents events;

    /** {@code limiter} null: nothing is limited. {@code events} is told of each check. */
    public HttpRateLimits(RateLimiter limiter, RateLimiterConfig config, ServerEvents events) {
        this.limiter = limiter;
        this.config = config;
        this.events = events;
    }

    public static HttpRateLimits disabled() {
        return new HttpRateLimits(null, RateLimiterConfig.off(), ServerEvents.NONE);
    }

    public boolean enabled() {
        return limiter != null;
    }

    /** The address HTTP API requests are counted against. */
    public String clientIp(SocketAddress remote, String forwardedFor) {
        return clientIp(remote, forwardedFor, config.apiTrustHops());
    }

    /** The address WebSocket upgrades are counted against. */
    public String websocketClientIp(SocketAddress remote, String forwardedFor) {
        return clientIp(remote, forwardedFor, config.websocketTrustHops());
    }

    private String clientIp(SocketAddress remote, String forwardedFor, int trustHops) {
        if (trustHops > 0 && forwardedFor != null) {
            String[] hops = forwardedFor.split(",");
            String address = hops[Math.max(0, hops.length - trustHops)].trim();
            if (!address.isEmpty()) {
                return address.length() <= MAX_IP_LENGTH ? address : address.substring(0, MAX_IP_LENGTH);
            }
        }
        if (config.trustForwardedFor() && forwardedFor != null) {
            int comma = forwardedFor.indexOf(',');
            String first = (comma < 0 ? forwardedFor : forwardedFor.substring(0, comma)).trim();
            if (!first.isEmpty()) {
                return first.length() <= MAX_IP_LENGTH ? first : first.substring(0, MAX_IP_LENGTH);
            }
        }
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(remote);
    }

    /** One HTTP API request from {@code ip}. Only call when {@link #enabled()}. */
    public CompletableFuture<RateLimiter.Decision> apiRequest(String ip) {
        return reported("api", limiter.tryAcquire("api:" + ip, config.apiMaxRequests(), config.apiWindowSeconds()));
    }

    /** One WebSocket upgrade from {@code ip}. Only call when {@link #enabled()}. */
    public CompletableFuture<RateLimiter.Decision> websocketUpgrade(String ip) {
        return reported("websocket", limiter.tryAcquire("ws:" + ip, config.websocketMaxRequests(), config.websocketWindowSeconds()));
    }

    private CompletableFuture<RateLimiter.Decision> reported(String limiterType, CompletableFuture<RateLimiter.Decision> decision) {
        return decision.thenApply(result -> {
            events.rateLimitChecked(null, limiterType, !result.allowed());
            return result;
        });
    }

    public String describeApiLimit() {
        return config.apiMaxRequests() + " HTTP API requests per " + config.apiWindowSeconds() + " s";
    }

    public String describeWebsocketLimit() {
        return config.websocketMaxRequests() + " WebSocket connections per " + config.websocketWindowSeconds() + " s";
    }

    public boolean isHealthy() {
        return limiter == null || limiter.isHealthy();
    }

    /** A round trip to the limiter's backend within {@code timeout} (the health check). */
    public boolean probe(Duration timeout) {
        return limiter == null || limiter.probe(timeout);
    }

    @Override
    public void close() {
        if (limiter != null) {
            limiter.close();
        }
    }
}
