package io.herald.webhooks;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/** Counts of what happened to webhook jobs on this node, for logs, tests and metrics. */
public final class WebhookStats {
    final AtomicLong queued = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    /** Told, for each job sent, how many milliseconds passed since the job was made (metrics). */
    private volatile LongConsumer deliveryLatency = millis -> { };

    void sent(long createdMillis) {
        sent.incrementAndGet();
        deliveryLatency.accept(Math.max(0, System.currentTimeMillis() - createdMillis));
    }

    /** Reports each delivery's latency (from the job's creation to its 2xx answer) to {@code listener}. */
    public void onDelivered(LongConsumer listener) {
        deliveryLatency = listener;
    }

    /** Jobs this node put into the queue. */
    public long queued() {
        return queued.get();
    }

    /** Jobs this node delivered (a 2xx answer). */
    public long sent() {
        return sent.get();
    }

    /** Jobs refused for good by their endpoint (a 4xx other than 408 and 429). */
    public long failed() {
        return failed.get();
    }

    /** Tries that failed and were put back for a later try. */
    public long retried() {
        return retried.get();
    }

    /** Jobs given up: the queue was full, the retry window ended, or the app is gone. Each is logged. */
    public long dropped() {
        return dropped.get();
    }
}
