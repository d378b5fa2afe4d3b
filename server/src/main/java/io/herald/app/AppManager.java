package io.herald.app;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where apps come from. Lookups are asynchronous so that database-backed drivers never block an
 * event loop; callers continue on their own loop when the future completes.
 */
public interface AppManager extends AutoCloseable {
    CompletableFuture<Optional<App>> findByKey(String key);

    CompletableFuture<Optional<App>> findById(String id);

    @Override
    default void close() {}
}
