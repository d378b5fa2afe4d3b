package io.herald.ratelimit;

import io.herald.app.App;
import io.herald.events.ServerEvents;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The per-app limits of the HTTP API: {@code max_backend_events_per_second} (each event on each
 * channel counts) and {@code max_read_requests_per_second} (channel queries). 0 = unlimited.
 * Windows are wall-clock seconds; a refused request does not count.
 *
 * <p>With a {@link SharedBudget} (a shared Redis), the limit holds for the whole cluster: each node
 * takes tokens from the second's shared budget in chunks of about a tenth of the limit and spends
 * them locally, so most requests never wait for Redis. A node never takes more than is left, so the
 * cluster never exceeds the limit; tokens a node took but did not spend in that second are lost to
 * the others (up to a chunk per node). While the shared budget fails, each node allows its share
 * of the limit (the limit divided by the live nodes, rounded up). Without a shared budget each node
 * counts the whole limit on its own (behind a load balancer over N nodes an app can then reach N
 * times its limit).
 */
public final class AppRateLimits implements AutoCloseable {
    private static final long MILLIS_PER_SECOND = 1000;
    /** A node takes about this share of the limit from the shared budget at a time. */
    private static final int CHUNKS_PER_LIMIT = 10;
    private static final CompletableFuture<Boolean> ALLOWED = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> REFUSED = CompletableFuture.completedFuture(false);

    private final SharedBudget budget; // null: per node
    private final IntSupplier liveNodes;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private final ServerEvents events;

    /**
     * {@code budget} null: each node counts on its own. {@code liveNodes}: the nodes sharing the
     * limit. {@code events} is told of each check.
     */
    public AppRateLimits(SharedBudget budget, IntSupplier liveNodes, ServerEvents events) {
        this.budget = budget;
        this.liveNodes = liveNodes;
        this.events = events;
    }

    /** Counts {@code events} published events; false (nothing counted) when over the app's limit. */
    public CompletableFuture<Boolean> tryBackendEvents(App app, int published) {
        int max = app.maxBackendEventsPerSecond();
        return max <= 0 ? ALLOWED : reported(app, "backend_events", window(app.id(), "events").tryTake(published, max,
                System.currentTimeMillis()));
    }

    /** Counts one channel query; false when over the app's limit. */
    public CompletableFuture<Boolean> tryReadRequest(App app) {
        int max = app.maxReadRequestsPerSecond();
        return max <= 0 ? ALLOWED : reported(app, "read_requests", window(app.id(), "reads").tryTake(1, max,
                System.currentTimeMillis()));
    }

    private CompletableFuture<Boolean> reported(App app, String limiter, CompletableFuture<Boolean> decision) {
        return decision.thenApply(allowed -> {
            events.rateLimitChecked(app.id(), limiter, !allowed);
            return allowed;
        });
    }

    /** Where the counts are kept, for the start-up log. */
    public String describe() {
        return budget == null ? "counted on each node" : "shared by the cluster in " + budget.describe();
    }

    /** False while the shared budget's backend is unreachable (each node then allows its share). */
    public boolean sharedBudgetAvailable() {
        return budget == null || budget.isAvailable();
    }

    /** A round trip to the shared budget's backend within {@code timeout} (the health check). */
    public boolean probe(Duration timeout) {
        return budget == null || budget.probe(timeout);
    }

    @Override
    public void close() {
        if (budget != null) {
            budget.close();
        }
    }

    private Window window(String appId, String kind) {
        String key = appId + ":" + kind;
        Window window = windows.get(key);
        return window != null ? window : windows.computeIfAbsent(key, k -> new Window(k));
    }

    /** One app's count of one kind. Touched by every loop that serves the app: a short lock is enough. */
    private final class Window {
        private final String key;
        private long second;
        /** Per node: what was counted this second. Shared: the tokens taken and not yet spent. */
        private int counted;
        private int tokens;
        /** The shared budget had nothing left for this second. */
        private boolean budgetSpent;
        /** The shared budget failed this second: this node counts on its own until the next. */
        private boolean alone;
        /** A request for tokens under way; later requests of the same second wait for it. */
        private CompletableFuture<Void> taking;

        Window(String key) {
            this.key = key;
        }

        CompletableFuture<Boolean> tryTake(int n, int max, long nowMillis) {
            CompletableFuture<Void> wait;
            synchronized (this) {
                long now = nowMillis / MILLIS_PER_SECOND;
                if (now != second) {
                    second = now;
                    counted = 0;
                    tokens = 0;
                    budgetSpent = false;
                    alone = false;
                    taking = null;
                }
                if (n > max) {
                    return REFUSED;
                }
                if (budget == null) {
                    return countLocally(n, max);
                }
                if (alone || !budget.isAvailable()) {
                    int nodes = Math.max(1, liveNodes.getAsInt());
                    return countLocally(n, (max + nodes - 1) / nodes);
                }
                if (tokens >= n) {
                    tokens -= n;
                    return ALLOWED;
                }
                if (budgetSpent) {
                    return REFUSED;
                }
                wait = taking;
                if (wait == null) {
                    int wanted = Math.max(n - tokens, Math.max(1, (max + CHUNKS_PER_LIMIT - 1) / CHUNKS_PER_LIMIT));
                    long forSecond = second;
                    CompletableFuture<Void> request = new CompletableFuture<>();
                    taking = request; // set first: the budget may answer before take() returns
                    budget.take(key, forSecond, wanted, max).whenComplete((granted, error) -> {
                        synchronized (this) {
                            if (second == forSecond) {
                                if (error != null) {
                                    alone = true;
                                } else {
                                    tokens += granted;
                                    budgetSpent = granted < wanted;
                                }
                            }
                            if (taking == request) {
                                taking = null;
                            }
                        }
                        request.complete(null);
                    });
                    wait = request;
                }
            }
            return wait.thenCompose(done -> tryTake(n, max, System.currentTimeMillis()));
        }

        private CompletableFuture<Boolean> countLocally(int n, int max) {
            if (counted + n > max) {
                return REFUSED;
            }
            counted += n;
            return ALLOWED;
        }
    }
}
