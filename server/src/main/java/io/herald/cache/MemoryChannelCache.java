package io.herald.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** This node's cache channels ({@code cache.driver: memory}): Caffeine, bounded and expiring. */
public final class MemoryChannelCache implements ChannelCache {
    private record Entry(byte[] message, long expiresAtNanos) {}

    private final Cache<String, Entry> entries;
    private final long ttlNanos;

    public MemoryChannelCache(int ttlSeconds, long maxChannels) {
        this.ttlNanos = Duration.ofSeconds(ttlSeconds).toNanos();
        this.entries = Caffeine.newBuilder()
                .expireAfterWrite(Duration.ofSeconds(ttlSeconds))
                .maximumSize(maxChannels)
                .build();
    }

    @Override
    public CompletableFuture<Void> put(String appId, String channel, byte[] message) {
        entries.put(key(appId, channel), new Entry(message, System.nanoTime() + ttlNanos));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Optional<CachedEvent>> get(String appId, String channel) {
        Entry entry = entries.getIfPresent(key(appId, channel));
        if (entry == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        long left = Math.max(0, (entry.expiresAtNanos() - System.nanoTime()) / 1_000_000);
        return CompletableFuture.completedFuture(Optional.of(new CachedEvent(entry.message(), left)));
    }

    private static String key(String appId, String channel) {
        return appId + '\n' + channel; // '\n' appears in neither app ids nor channel names
    }
}
