package io.herald.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where webhook jobs wait to be sent, and wait again between tries: one line per endpoint (webhook
 * URL), so that a slow or dead endpoint's jobs never stand in front of another's.
 *
 * <p>Contract: {@link #add} never blocks and never loses a job silently: it is stored, or the call
 * answers false (the queue is full) and the caller counts and logs the drop. {@link #take} hands out
 * an endpoint's due jobs, each leased to this node: until {@link #done} or {@link #retry}, no other
 * consumer gets it; a durable driver gives it to another node once the lease runs out without
 * {@link #renew} (the node died). A job that was added is taken at least once.
 */
public interface WebhookQueue extends AutoCloseable {
    /** Stores a new job. False when it cannot be kept (the queue is at its bound). */
    boolean add(WebhookJob job);

    /**
     * The endpoints (webhook URLs) whose lines may hold due jobs. A durable driver also lists the
     * endpoints other nodes added jobs for, as it learns of them.
     */
    Set<String> endpoints();

    /** Up to {@code max} due jobs of endpoint {@code url}, leased to this node (empty when none is due). */
    CompletableFuture<List<Leased>> take(String url, int max);

    /** Sent, or given up for good: the job is gone. */
    void done(Leased job);

    /** Back into its line as {@code next}, to be taken again no sooner than {@code delayMillis} from now. */
    void retry(Leased job, WebhookJob next, long delayMillis);

    /** This node is still working on {@code jobs}: their leases start again. */
    default void renew(List<Leased> jobs) {}

    /** Called (on any thread) with an endpoint that may have due jobs now, so the consumer need not wait for its next poll. */
    void onJobsAdded(Consumer<String> wakeUp);

    /** Jobs that exist only in this process: a stop now loses them (all of the memory driver's). */
    long heldInProcess();

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


    /** Driver name and where it keeps jobs, for logs. */
    String describe();

    @Override
    void close();

    /** A job this node holds, with what the driver needs to finish it. */
    record Leased(WebhookJob job, Object receipt) {}
}
