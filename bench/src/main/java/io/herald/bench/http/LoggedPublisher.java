package io.herald.bench.http;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes at a fixed rate until stopped, round-robin over the nodes' HTTP clients and over the
 * channels, logging each publish in a {@link PublishLog} (its sequence number is its log index).
 * Publish {@code i} goes to channel {@code i % C} through node {@code (i + i / C) % N}, so every
 * channel is published to through every node. Its payload carries the intended send time, as
 * {@link FixedRatePublisher}'s do, for the delivery latency.
 */
public final class LoggedPublisher implements AutoCloseable {
    private final List<ApiClient> clients;
    private final String path;
    private final Payloads payloads;
    private final List<String> channels;
    private final PublishLog log;
    private final AtomicInteger phase = new AtomicInteger();
    private volatile boolean stopped;
    private Thread thread;

    public LoggedPublisher(List<ApiClient> clients, String appId, Payloads payloads, List<String> channels, PublishLog log) {
        this.clients = List.copyOf(clients);
        this.path = "/apps/" + appId + "/events";
        this.payloads = payloads;
        this.channels = List.copyOf(channels);
        this.log = log;
    }

    /** Publishes from now on are logged as phase {@code p}. */
    public void phase(int p) {
        phase.set(p);
    }

    public synchronized void start(double rate) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(() -> run(rate), "bench-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(double rate) {
        double period = 1e9 / rate;
        long start = System.nanoTime();
        int c = channels.size();
        int n = clients.size();
        for (long i = 0; !stopped; i++) {
            long intended = start + Math.round(i * period);
            long wait = intended - System.nanoTime();
            while (wait > 0 && !stopped) {
                LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                wait = intended - System.nanoTime();
            }
            if (stopped) {
                return;
            }
            int ch = (int) (i % c);
            int node = (int) ((i + i / c) % n);
            int seq = log.add(ch, node, phase.get());
            byte[] body = payloads.event(channels.get(ch), seq, intended);
            clients.get(node).submit(new ApiClient.Call() {
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
                    log.sent(seq, nanos);
                }

                @Override
                public void onResponse(int status, long sentNanos, long receivedNanos, String errorBody) {
                    log.answered(seq, status, receivedNanos);
                }
            });
        }
    }

    /** Stops publishing, then waits up to {@code awaitMillis} for the answers to what was sent; true if all came. */
    public boolean stop(long awaitMillis) {
        stopped = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(awaitMillis);
        while (log.unanswered() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000_000L);
        }
        return log.unanswered() == 0;
    }

    @Override
    public void close() {
        stop(0);
    }
}
