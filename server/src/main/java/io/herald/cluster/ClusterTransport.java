package io.herald.cluster;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A message bus between nodes: fire-and-forget publish to named subjects, and delivery of every
 * message on the subjects this node listens to. Messages from one publisher to one subject arrive
 * in order. Implementations: Redis pub/sub, Redis Cluster pub/sub, NATS.
 */
public interface ClusterTransport extends AutoCloseable {
    /**
     * Connects and listens to {@code subjects}; each message is handed to {@code receiver} as
     * (subject, bytes) on the transport's own thread, so the receiver must not block.
     * Fails with an exception naming the backend when it cannot be reached.
     */
    void start(List<String> subjects, BiConsumer<String, byte[]> receiver);

    void publish(String subject, byte[] message);

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
