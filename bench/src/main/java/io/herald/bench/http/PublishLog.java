package io.herald.bench.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every publish of a soak or chaos run: its channel, the node it was sent to, the fault phase it
 * belongs to, when it was written and answered (nanoTime) and the answer's status (0: none yet, -1:
 * the connection failed). A publish's sequence number is its index here. The delivery check holds
 * subscribers only to the accepted (2xx) ones. Written from the publisher thread and the HTTP
 * clients' event loops, hence synchronized; a few hundred entries a second at most.
 */
public final class PublishLog {
    private int size;
    private int[] channel = new int[4096];
    private int[] node = new int[4096];
    private int[] phase = new int[4096];
    private int[] status = new int[4096];
    private long[] sent = new long[4096];
    private long[] ack = new long[4096];

    /** Reserves the next sequence number. */
    public synchronized int add(int channelIndex, int nodeIndex, int phaseIndex) {
        if (size == channel.length) {
            int cap = size * 2;
            channel = Arrays.copyOf(channel, cap);
            node = Arrays.copyOf(node, cap);
            phase = Arrays.copyOf(phase, cap);
            status = Arrays.copyOf(status, cap);
            sent = Arrays.copyOf(sent, cap);
            ack = Arrays.copyOf(ack, cap);
        }
        channel[size] = channelIndex;
        node[size] = nodeIndex;
        phase[size] = phaseIndex;
        return size++;
    }

    public synchronized void sent(int seq, long nanos) {
        sent[seq] = nanos;
    }

    public synchronized void answered(int seq, int httpStatus, long nanos) {
        status[seq] = httpStatus;
        ack[seq] = nanos;
        if (sent[seq] == 0) {
            sent[seq] = nanos; // failed before it could be written (connection refused)
        }
    }

    public synchronized int size() {
        return size;
    }

    /** Publishes not answered yet. */
    public synchronized int unanswered() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (status[i] == 0) {
                n++;
            }
        }
        return n;
    }

    public synchronized Entries snapshot() {
        return new Entries(size, Arrays.copyOf(channel, size), Arrays.copyOf(node, size), Arrays.copyOf(phase, size),
                Arrays.copyOf(status, size), Arrays.copyOf(sent, size), Arrays.copyOf(ack, size));
    }

    /** A copy of the log at one moment. */
    public record Entries(int size, int[] channels, int[] nodes, int[] phases, int[] statuses, long[] sents, long[] acks) {
        public boolean accepted(int seq) {
            return statuses[seq] / 100 == 2;
        }

        public int channel(int seq) {
            return channels[seq];
        }

        public int node(int seq) {
            return nodes[seq];
        }

        public int phase(int seq) {
            return phases[seq];
        }

        public long sentNanos(int seq) {
            return sents[seq];
        }

        public long ackNanos(int seq) {
            return acks[seq];
        }

        /** publishes, accepted, failed and failures by status ("connection" for no answer at all) of one phase (-1: all). */
        public ObjectNode summary(int phaseIndex) {
            long total = 0;
            long ok = 0;
            Map<String, Long> failed = new TreeMap<>();
            for (int i = 0; i < size; i++) {
                if (phaseIndex >= 0 && phases[i] != phaseIndex) {
                    continue;
                }
                total++;
                if (accepted(i)) {
                    ok++;
                } else {
                    String key = statuses[i] == 0 ? "unanswered" : statuses[i] < 0 ? "connection" : Integer.toString(statuses[i]);
                    failed.merge(key, 1L, Long::sum);
                }
            }
            ObjectNode o = Json.object();
            o.put("publishes", total);
            o.put("accepted", ok);
            o.put("failed", total - ok);
            if (!failed.isEmpty()) {
                ObjectNode f = o.putObject("failed_by_status");
                failed.forEach(f::put);
            }
            return o;
        }
    }
}
