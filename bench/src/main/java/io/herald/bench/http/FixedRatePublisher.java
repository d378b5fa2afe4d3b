package io.herald.bench.http;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes {@code count} events at a fixed rate, open loop: publish {@code i} is due at
 * {@code start + i / rate} and its payload's {@code t} is that intended time, not the actual send
 * time, so a publisher or server stall shows up as latency instead of silently lowering the rate
 * (no coordinated omission). A pacing thread hands each publish to the client when it is due;
 * the client queues it if all its connections are busy.
 */
public final class FixedRatePublisher {
    private final ApiClient client;
    private final String path;
    private final Payloads payloads;

    public FixedRatePublisher(ApiClient client, String appId, Payloads payloads) {
        this.client = client;
        this.path = "/apps/" + appId + "/events";
        this.payloads = payloads;
    }

    /** What one run did. */
    public record Run(PublishStats stats, long startNanos, long lastSendNanos, boolean finished) {}

    /**
     * Sends publishes 0..count-1; publish i goes to {@code channelPrefix + (i % channels)} with
     * sequence number {@code warmup ? -(i+1) : i}. Blocks until every response arrived or
     * {@code timeoutNanos} after the last intended send.
     */
    public Run run(int count, double rate, int channels, String channelPrefix, boolean warmup, long startNanos, long timeoutNanos) {
        PublishStats stats = new PublishStats();
        CountDownLatch done = new CountDownLatch(count);
        java.util.concurrent.atomic.AtomicLong lastSend = new java.util.concurrent.atomic.AtomicLong(startNanos);
        double periodNanos = 1e9 / rate;
        for (int i = 0; i < count; i++) {
            long intended = startNanos + Math.round(i * periodNanos);
            long wait = intended - System.nanoTime();
            while (wait > 0) {
                LockSupport.parkNanos(wait);
                wait = intended - System.nanoTime();
            }
            String channel = channelPrefix + (i % channels);
            long seq = warmup ? -(i + 1L) : i;
            byte[] body = payloads.event(channel, seq, intended);
            client.submit(new ApiClient.Call() {
                @Override
                public String path() {
                    return path;
                }

                @Override
                public byte[] body() {
                    return body;
                }

                @Override
                public void onSent(long nanos) {
                    stats.sendLagMicros.recordValue(PublishStats.clamp((nanos - intended) / 1000, stats.sendLagMicros));
                    lastSend.set(nanos);
                }

                @Override
                public void onResponse(int status, long sentNanos, long receivedNanos, String errorBody) {
                    stats.record(status, sentNanos, receivedNanos, errorBody, true);
                    done.countDown();
                }
            });
        }
        long lastIntended = startNanos + Math.round(Math.max(0, count - 1) * periodNanos);
        boolean finished;
        try {
            finished = done.await(Math.max(0, lastIntended + timeoutNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        // Read the loop-confined stats on the loop, so the values are safely published.
        PublishStats snapshot = readOnLoop(stats);
        return new Run(snapshot, startNanos, lastSend.get(), finished);
    }

    private PublishStats readOnLoop(PublishStats stats) {
        try {
            return client.loop().submit(() -> {
                PublishStats copy = new PublishStats();
                copy.requestMicros.add(stats.requestMicros);
                copy.sendLagMicros.add(stats.sendLagMicros);
                copy.errors.putAll(stats.errors);
                copy.firstError = stats.firstError;
                copy.ok = stats.ok;
                copy.failed = stats.failed;
                return copy;
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return stats;
        }
    }
}
