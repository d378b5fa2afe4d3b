package io.herald.app;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where apps come from. Lookups are asynchronous so that database-backed drivers never block an
 * event loop; callers continue on their own loop when the future completes. A future fails only
 * when the source cannot answer (a database that is down); an unknown app is an empty answer.
 */
public interface AppManager extends AutoCloseable {
    CompletableFuture<Optional<App>> findByKey(String key);

    CompletableFuture<Optional<App>> findById(String id);

    /**
     * The app as this node last read it, without waiting (the memory driver always has it; a
     * database driver has it once it was looked up, even after its TTL). For decisions on a hot
     * path, such as whether a webhook wants a fact; a change applies once the app is read again.
     */
    default Optional<App> lastKnown(String id) {
        return findById(id).getNow(Optional.empty());
    }

    /** False while the backend that holds the apps cannot be reached. */
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


    /** The driver and where it reads from, for logs (never a password). */
    String describe();

    @Override
    default void close() {}
}
