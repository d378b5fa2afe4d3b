package io.herald.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Per-second budgets shared by every node of a cluster, for the per-app limits.
 *
 * <p>Contract: {@link #take} grants at most {@code wanted} of the {@code max} tokens of
 * {@code key}'s budget for the wall-clock {@code second}, and never more than is left of it
 * across all nodes; 0 when nothing is left. The future fails when the backend cannot answer (the
 * caller then counts on its own).
 */
public interface SharedBudget extends AutoCloseable {
    CompletableFuture<Integer> take(String key, long second, int wanted, int max);

    /** False while the backend is known to be unreachable. */
    boolean isAvailable();

    /** A round trip to the backend within {@code timeout} (the health check); blocks its caller. */
    default boolean probe(Duration timeout) {
        return isAvailable();
    }

    /** The backend, for logs. */
    String describe();

    @Override
    void close();
}
