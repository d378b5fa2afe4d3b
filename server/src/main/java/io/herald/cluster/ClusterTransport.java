package io.herald.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A message bus between nodes: fire-and-forget publish to named subjects, and delivery of every
 * message on the subjects this node listens to, its own publishes included. Messages from one
 * publisher to one subject arrive in order; any message may be lost (Redis pub/sub and core NATS
 * deliver at most once, and nothing is kept for a subscriber that is away). A publish made while
 * the backend is unreachable fails at once or within a short timeout: it is never kept to be
 * sent later. Implementations: Redis pub/sub, Redis Cluster sharded pub/sub, NATS, and an
 * in-memory one for tests.
 */
public interface ClusterTransport extends AutoCloseable {
    /** What a transport hands over; called on the transport's own threads, so it must not block. */
    interface Receiver {
        /** A message on one of the subjects this node listens to. */
        void message(String subject, byte[] bytes);

        /**
         * This node listens again after its connection was lost: whatever was published meanwhile
         * was missed. May come more than once for one outage (once per subject or server).
         */
        void resubscribed();
    }

    /**
     * Connects and listens to {@code subjects}. Fails with an exception naming the backend when it
     * cannot be reached.
     */
    void start(List<String> subjects, Receiver receiver);

    /**
     * Sends {@code message} to every node listening to {@code subject}. Completes with true once
     * the backend took it, false when it was refused or timed out (it will never be delivered
     * later). Never blocks.
     */
    CompletionStage<Boolean> publish(String subject, byte[] message);

    /** The largest message the backend takes now (NATS: the server's max_payload). */
    int maxMessageBytes();

    /** False while the connection to the backend is lost (the node's {@code /up} answers 503). */
    boolean isConnected();

    /** A round trip to the backend within {@code timeout} (the health check); blocks its caller. */
    default boolean probe(Duration timeout) {
        return isConnected();
    }

    /** Driver name for logs: redis, redis-cluster or nats. */
    String name();

    @Override
    void close();
}
