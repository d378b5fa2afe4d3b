package io.herald.bench.http;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * HTTP API throughput at full speed: {@code concurrency} callers, each sending its next request as
 * soon as the previous one is answered (closed loop), first for a warm-up, then for the measured
 * window. Requests sent during the window count; their events carry sequence numbers 0, 1, 2...
 * (negative during warm-up) and the send time, so subscribers can check delivery.
 */
public final class ClosedLoopPublisher {
    private final ApiClient client;
    private final String eventsPath;
    private final String batchPath;
    private final Payloads payloads;
    private final int batch;
    private final int channels;
    private final String prefix;

    /**
     * @param batch 1: POST /events, one channel each; more: POST /batch_events with that many events
     */
    public ClosedLoopPublisher(ApiClient client, String appId, Payloads payloads, int batch, int channels, String prefix) {
        this.client = client;
        this.eventsPath = "/apps/" + appId + "/events";
        this.batchPath = "/apps/" + appId + "/batch_events";
        this.payloads = payloads;
        this.batch = batch;
        this.channels = channels;
        this.prefix = prefix;
    }

    /** Counts of the measured window (loop-confined while running, read after). */
    public static final class Result {
        public final PublishStats stats = new PublishStats();
        /** Successfully published events per channel index, measured window only. */
        public final long[] okEventsPerChannel;
        public long measuredRequests;
        public long warmupRequests;
        public boolean finished;

        Result(int channels) {
            okEventsPerChannel = new long[channels];
        }
    }

    /** Runs until {@code measureFrom + durationNanos}; blocks until the last answer (bounded). */
    public Result run(int concurrency, long measureFrom, long durationNanos) {
        long end = measureFrom + durationNanos;
        Result result = new Result(channels);
        CountDownLatch chains = new CountDownLatch(concurrency);
        long[] nextSeq = {0, -1};
        for (int i = 0; i < concurrency; i++) {
            client.submit(new Chain(result, chains, nextSeq, measureFrom, end));
        }
        try {
            result.finished = chains.await(Math.max(0, end - System.nanoTime()) + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS);
            // happens-before for the loop-confined counts
            client.loop().submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            result.finished = false;
        }
        return result;
    }

    /** One caller: a call that submits its successor when answered, until the window ends. */
    private final class Chain implements ApiClient.Call {
        private final Result result;
        private final CountDownLatch chains;
        private final long[] nextSeq;
        private final long measureFrom;
        private final long end;
        private boolean measured;
        private long firstSeq;

        Chain(Result result, CountDownLatch chains, long[] nextSeq, long measureFrom, long end) {
            this.result = result;
            this.chains = chains;
            this.nextSeq = nextSeq;
            this.measureFrom = measureFrom;
            this.end = end;
        }

        @Override
        public String path() {
            return batch > 1 ? batchPath : eventsPath;
        }

        /** Called once, on the loop, right before sending: decides the phase and the sequence numbers. */
        @Override
        public byte[] body() {
            long now = System.nanoTime();
            measured = now >= measureFrom;
            if (measured) {
                firstSeq = nextSeq[0];
                nextSeq[0] += batch;
                result.measuredRequests++;
            } else {
                firstSeq = nextSeq[1];
                nextSeq[1] -= batch;
                result.warmupRequests++;
            }
            if (batch <= 1) {
                return payloads.event(prefix + channelOf(firstSeq), firstSeq, now);
            }
            String[] names = new String[batch];
            for (int i = 0; i < batch; i++) {
                long seq = firstSeq < 0 ? firstSeq - i : firstSeq + i;
                names[i] = prefix + channelOf(seq);
            }
            return payloads.batch(names, firstSeq, now);
        }

        private int channelOf(long seq) {
            return (int) (Math.abs(seq) % channels);
        }

        @Override
        public void onResponse(int status, long sentNanos, long receivedNanos, String errorBody) {
            if (measured) {
                result.stats.record(status, sentNanos, receivedNanos, errorBody, true);
                if (status / 100 == 2) {
                    for (int i = 0; i < Math.max(1, batch); i++) {
                        result.okEventsPerChannel[channelOf(firstSeq + i)]++;
                    }
                }
            }
            if (receivedNanos < end && !(status < 0 && receivedNanos - sentNanos < 1_000_000 && result.stats.failed > 1000)) {
                client.submit(new Chain(result, chains, nextSeq, measureFrom, end));
            } else {
                chains.countDown();
            }
        }
    }
}
