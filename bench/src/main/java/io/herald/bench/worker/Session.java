package io.herald.bench.worker;

import io.netty.channel.Channel;
import java.util.Arrays;

/**
 * One connection of a {@link Slot}, from connect to close: the node it went to, when it was
 * subscribed, when it ended, and the sequence numbers it received. Touched on the worker's event
 * loop only; kept after it closes (if it was ever subscribed) until the delivery check.
 */
final class Session {
    enum State { CONNECTING, SUBSCRIBING, SUBSCRIBED, CLOSED }

    final Slot slot;
    final int gen;
    final int node;
    /** Presence member id; null on a public channel. */
    final String userId;
    Channel channel;
    State state = State.CONNECTING;
    /** Still counted against the open concurrency: neither subscribed nor failed yet. */
    boolean opening = true;
    /** Opened by the first "slots" command (its answer waits for these). */
    boolean initial;
    /** nanoTime of subscription_succeeded; 0: never subscribed. */
    long subscribedAt;
    /** nanoTime at which we closed it, or it was seen closed; MAX_VALUE while open. */
    long closedAt = Long.MAX_VALUE;
    boolean closedByUs;
    final SeqSet received = new SeqSet();
    private int[] duplicates = new int[0];
    private int duplicateCount;

    Session(Slot slot, int gen, int node, String userId) {
        this.slot = slot;
        this.gen = gen;
        this.node = node;
        this.userId = userId;
    }

    /** Records a delivery; false if this session had it already. */
    boolean receive(int seq) {
        if (received.add(seq)) {
            return true;
        }
        if (duplicateCount == duplicates.length) {
            duplicates = Arrays.copyOf(duplicates, Math.max(4, duplicateCount * 2));
        }
        duplicates[duplicateCount++] = seq;
        return false;
    }

    int duplicateCount() {
        return duplicateCount;
    }

    int duplicate(int i) {
        return duplicates[i];
    }
}
