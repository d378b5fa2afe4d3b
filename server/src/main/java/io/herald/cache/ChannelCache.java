package io.herald.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The last event published to each cache channel, kept for a TTL, replayed to new subscribers.
 * Contract: {@link #put} replaces the channel's entry and restarts its TTL; {@link #get} never
 * fails the caller (a backend error reads as "nothing cached" and is logged by the driver).
 */
public interface ChannelCache extends AutoCloseable {
    /**
     * Remembers {@code message}, the JSON text of the event as subscribers receive it. Completes
     * once it is stored (or could not be: the driver logs why), so that the HTTP API answers a
     * publish only when a new subscriber on any node can be replayed the event.
     */
    CompletableFuture<Void> put(String appId, String channel, byte[] message);

    CompletableFuture<Optional<CachedEvent>> get(String appId, String channel);

    /** False while the backend cannot be reached ({@code /up} then answers 503). */
    default boolean isHealthy() {
        return true;
    }

    /**
     * Asks the backend for an answer now, waiting at most {@code timeout} (the background health
     * check; blocks its caller, never an event loop). Drivers without a round trip of their own
     * answer with {@link #isHealthy}.
     */
    default boolean probe(Duration timeout) {
        return isHealthy();
    }

    @Override
    default void close() {}

    /** A cached message and how long it stays (for the channel query's {@code cache.ttl}). */
    record CachedEvent(byte[] message, long ttlMillisLeft) {}
}
