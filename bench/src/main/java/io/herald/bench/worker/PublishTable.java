package io.herald.bench.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * The publishes the HTTP API accepted, as the coordinator logged them, sent to each worker in
 * chunks before the delivery check: sequence number, channel index, node that accepted it, when it
 * was sent and answered (nanoTime), the fault phase it belongs to, and whether it was accepted
 * while the cluster's backend was down.
 */
final class PublishTable {
    int size;
    int[] seq = new int[1024];
    int[] channel = new int[1024];
    int[] node = new int[1024];
    long[] sent = new long[1024];
    long[] ack = new long[1024];
    int[] phase = new int[1024];
    boolean[] outage = new boolean[1024];

    void add(int s, int ch, int n, long sentNanos, long ackNanos, int ph, boolean duringOutage) {
        if (size == seq.length) {
            int cap = size * 2;
            seq = Arrays.copyOf(seq, cap);
            channel = Arrays.copyOf(channel, cap);
            node = Arrays.copyOf(node, cap);
            sent = Arrays.copyOf(sent, cap);
            ack = Arrays.copyOf(ack, cap);
            phase = Arrays.copyOf(phase, cap);
            outage = Arrays.copyOf(outage, cap);
        }
        seq[size] = s;
        channel[size] = ch;
        node[size] = n;
        sent[size] = sentNanos;
        ack[size] = ackNanos;
        phase[size] = ph;
        outage[size] = duringOutage;
        size++;
    }

    /** Appends one "publish_log" command's parallel arrays (seq, ch, node, sent, ack, phase, outage as 0/1). */
    void append(JsonNode cmd) {
        JsonNode s = cmd.path("seq");
        JsonNode ch = cmd.path("ch");
        JsonNode n = cmd.path("node");
        JsonNode se = cmd.path("sent");
        JsonNode a = cmd.path("ack");
        JsonNode ph = cmd.path("phase");
        JsonNode o = cmd.path("outage");
        int count = s.size();
        if (ch.size() != count || n.size() != count || se.size() != count || a.size() != count || ph.size() != count
                || o.size() != count) {
            throw new IllegalArgumentException("publish_log arrays differ in length");
        }
        for (int i = 0; i < count; i++) {
            add(s.get(i).asInt(), ch.get(i).asInt(), n.get(i).asInt(), se.get(i).asLong(), a.get(i).asLong(), ph.get(i).asInt(),
                    o.get(i).asInt() != 0);
        }
    }

    void clear() {
        size = 0;
    }
}
