package io.herald.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node can serve ({@code /up}): each backend it depends on is checked two ways. Its
 * connection state, read on every request (a lost connection shows at once), and, with
 * {@code health_check.enabled}, a round trip made in the background every {@code interval} seconds
 * within {@code timeout} (a backend that is connected but does not answer shows within an
 * interval). {@code /up} only reads these results: it never waits for a backend.
 *
 * <p>A required backend that is down makes the node ERROR (503): load balancers stop sending it
 * clients. An optional one makes it DEGRADED (200): it serves, with less. While it shuts down it
 * is DRAINING (503).
 */
public final class Health implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Health.class);

    public enum State { OK, DEGRADED, ERROR, DRAINING }

    /**
     * One backend: {@code problem} is what {@code /up} says when it is down ("Cluster backend (redis)
     * unreachable"); {@code connected} reads its connection state; {@code probe} makes a round trip.
     */
    public record Check(String name, String problem, boolean required, BooleanSupplier connected, Predicate<Duration> probe) {}

    /** The node's state and what is wrong, if anything. */
    public record Report(State state, List<String> problems) {
        public int status() {
            return state == State.ERROR || state == State.DRAINING ? 503 : 200;
        }

        public String body() {
            return state == State.OK || state == State.DRAINING ? state.name() : state.name() + ": " + String.join("; ", problems);
        }
    }

    private final List<Check> checks;
    private final BooleanSupplier draining;
    /** Checks whose last round trip failed. */
    private final java.util.Set<Check> failedProbes = ConcurrentHashMap.newKeySet();
    /** Seconds the last round trip of each check took (the metrics' backend latency). */
    private final Map<String, Double> lastProbeSeconds = new ConcurrentHashMap<>();
    private ScheduledExecutorService prober;

    public Health(List<Check> checks, BooleanSupplier draining) {
        this.checks = List.copyOf(checks);
        this.draining = draining;
    }

    /** Starts the background round trips ({@code health_check.enabled}). */
    public synchronized void probeEvery(Duration interval, Duration timeout) {
        if (prober != null || checks.isEmpty()) {
            return;
        }
        prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "herald-health");
            thread.setDaemon(true);
            return thread;
        });
        prober.scheduleWithFixedDelay(() -> probeAll(timeout), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAll(Duration timeout) {
        for (Check check : checks) {
            boolean answered;
            long started = System.nanoTime();
            try {
                answered = check.probe().test(timeout);
            } catch (RuntimeException e) {
                answered = false;
            }
            lastProbeSeconds.put(check.name(), (System.nanoTime() - started) / 1e9);
            boolean changed = answered ? failedProbes.remove(check) : failedProbes.add(check);
            if (changed) {
                if (answered) {
                    log.info("health check: {} no longer ({})", check.problem(), "answered within " + timeout.toMillis() + " ms");
                } else {
                    log.warn("health check: {} (no answer within {} ms)", check.problem(), timeout.toMillis());
                }
            }
        }
    }

    /** The checks by name. */
    public List<Check> checks() {
        return checks;
    }

    /** Seconds the last background round trip to {@code name}'s backend took; NaN before the first. */
    public double lastProbeSeconds(String name) {
        return lastProbeSeconds.getOrDefault(name, Double.NaN);
    }

    public Report report() {
        if (draining.getAsBoolean()) {
            return new Report(State.DRAINING, List.of("shutting down"));
        }
        List<String> errors = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        for (Check check : checks) {
            if (!check.connected().getAsBoolean() || failedProbes.contains(check)) {
                (check.required() ? errors : degraded).add(check.problem());
            }
        }
        if (!errors.isEmpty()) {
            errors.addAll(degraded);
            return new Report(State.ERROR, errors);
        }
        return degraded.isEmpty() ? new Report(State.OK, List.of()) : new Report(State.DEGRADED, degraded);
    }

    @Override
    public synchronized void close() {
        if (prober != null) {
            prober.shutdownNow();
        }
    }
}
