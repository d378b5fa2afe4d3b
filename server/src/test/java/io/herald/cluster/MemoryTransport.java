package io.herald.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** One node's connection to a {@link MemoryBus}: delivers on a thread of its own, and can be cut off and reconnected. */
final class MemoryTransport implements ClusterTransport {
    private final MemoryBus bus;
    private final String name;
    private final Set<String> subjects = ConcurrentHashMap.newKeySet();
    private final ExecutorService delivery;
    private volatile Receiver receiver;
    private volatile boolean connected;

    MemoryTransport(MemoryBus bus, String name) {
        this.bus = bus;
        this.name = name;
        this.delivery = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "memory-bus-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start(List<String> subjects, Receiver receiver) {
        this.receiver = receiver;
        this.subjects.addAll(subjects);
        connected = true;
    }

    @Override
    public CompletionStage<Boolean> publish(String subject, byte[] message) {
        return bus.publish(this, subject, message);
    }

    @Override
    public int maxMessageBytes() {
        return bus.maxMessageBytes();
    }

    boolean listensTo(String subject) {
        return subjects.contains(subject);
    }

    void deliver(String subject, byte[] bytes) {
        if (!delivery.isShutdown()) {
            delivery.execute(() -> receiver.message(subject, bytes));
        }
    }

    /** The connection is lost: nothing comes in or goes out until {@link #reconnect}. */
    void cut() {
        connected = false;
    }

    /** Connected and listening again; the receiver hears that it was away. */
    void reconnect() {
        connected = true;
        delivery.execute(() -> receiver.resubscribed());
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void close() {
        connected = false;
        delivery.shutdown();
    }

    @Override
    public String toString() {
        return name;
    }
}
