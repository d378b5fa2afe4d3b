package io.herald.cluster;

/**
 * The clock of the cluster protocol. Production uses {@link #DEFAULT}; tests of the protocol on
 * the in-memory bus shorten it, so that they wait for events rather than for seconds.
 *
 * @param heartbeatMillis how often a node says it is alive, with its state's version and digest
 * @param nodeTimeoutMillis silence after which a node is taken as crashed
 * @param holdMillis how long a vacated channel or departed member is held before it is a fact
 */
record Timing(long heartbeatMillis, long nodeTimeoutMillis, long holdMillis) {
    static final Timing DEFAULT = new Timing(1000, ClusterAdapter.NODE_TIMEOUT_MILLIS, ChannelFacts.HOLD_MILLIS);

    /** A node waits this long after starting, to hear every other node's heartbeat, before it decides facts. */
    long readyAfterMillis() {
        return heartbeatMillis * 3 / 2;
    }

    /** A sync asked for and not received within this long is asked for again. */
    long syncRetryMillis() {
        return heartbeatMillis * 2;
    }
}
