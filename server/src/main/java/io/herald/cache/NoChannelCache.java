package io.herald.cache;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@code cache.driver: none}: nothing is kept; every cache-channel subscriber gets a cache miss. */
public final class NoChannelCache implements ChannelCache {
    @Override
    public CompletableFuture<Void> put(String appId, String channel, byte[] message) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Optional<CachedEvent>> get(String appId, String channel) {
        return CompletableFuture.completedFuture(Optional.empty());
    }
}
