package io.herald.ratelimit;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Coalesces bursts of signals per key into few runs of an action. The first signal schedules a
 * run {@code coalesceMillis} later; signals before it starts join it. Each run answers how long
 * the key must then rest; a signal during a run or the rest schedules one run for when the rest
 * is over. So the last signal of any burst is always followed by a run that starts after it
 * (nothing is lost), and a key never runs more often than its action asks. Idle keys are dropped.
 */
public final class KeyedThrottle {
    private final long coalesceNanos;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    /** One key's state; read and written only inside {@code states.compute} for that key. */
    private static final class State {
        boolean scheduled;
        boolean running;
        boolean signalledWhileRunning;
        long restUntilNanos;
    }

    public KeyedThrottle(long coalesceMillis) {
        this.coalesceNanos = TimeUnit.MILLISECONDS.toNanos(coalesceMillis);
    }

    /**
     * Signals {@code key}. The action runs on {@code executor}; its result is how many milliseconds
     * the key rests after the run started (0 = only the coalescing delay before the next run).
     */
    public void signal(String key, ScheduledExecutorService executor, Supplier<? extends CompletionStage<Long>> action) {
        states.compute(key, (k, state) -> {
            if (state == null) {
                state = new State();
            }
            if (state.running) {
                state.signalledWhileRunning = true;
            } else if (!state.scheduled) {
                schedule(k, state, executor, action);
            }
            return state.scheduled || state.running ? state : null;
        });
    }

    /** Keys with a run scheduled, running or resting. */
    public int activeKeys() {
        return states.size();
    }

    private void schedule(String key, State state, ScheduledExecutorService executor,
                          Supplier<? extends CompletionStage<Long>> action) {
        long delay = Math.max(coalesceNanos, state.restUntilNanos - System.nanoTime());
        try {
            executor.schedule(() -> run(key, executor, action), delay, TimeUnit.NANOSECONDS);
            state.scheduled = true;
        } catch (RejectedExecutionException e) {
            state.scheduled = false; // shutting down: nothing more to send
        }
    }

    private void run(String key, ScheduledExecutorService executor, Supplier<? extends CompletionStage<Long>> action) {
        long started = System.nanoTime();
        states.computeIfPresent(key, (k, state) -> {
            state.scheduled = false;
            state.running = true;
            return state;
        });
        CompletionStage<Long> result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            finish(key, started, 0, executor, action);
            throw e;
        }
        result.whenComplete((restMillis, error) ->
                finish(key, started, error == null && restMillis != null ? restMillis : 0, executor, action));
    }

    private void finish(String key, long started, long restMillis, ScheduledExecutorService executor,
                        Supplier<? extends CompletionStage<Long>> action) {
        states.computeIfPresent(key, (k, state) -> {
            state.running = false;
            state.restUntilNanos = started + TimeUnit.MILLISECONDS.toNanos(restMillis);
            if (state.signalledWhileRunning) {
                state.signalledWhileRunning = false;
                schedule(k, state, executor, action);
                return state.scheduled ? state : null;
            }
            long rest = state.restUntilNanos - System.nanoTime();
            if (rest <= coalesceNanos) {
                return null; // a new signal would wait the coalescing delay anyway
            }
            try {
                executor.schedule(() -> forgetIfIdle(k), rest, TimeUnit.NANOSECONDS);
                return state;
            } catch (RejectedExecutionException e) {
                return null;
            }
        });
    }

    private void forgetIfIdle(String key) {
        states.computeIfPresent(key, (k, state) ->
                !state.scheduled && !state.running && System.nanoTime() - state.restUntilNanos >= 0 ? null : state);
    }
}
