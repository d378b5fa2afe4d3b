package io.herald.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A message bus inside one JVM, for fast tests of the cluster protocol: every {@link
 * MemoryTransport} on it hears what the others publish to its subjects, on a thread of its own
 * (as a connection does), in publish order per publisher and subject. Unlike a broker, it loses or
 * holds back exactly the messages a test chooses, and cuts a node off and reconnects it on cue.
 */
final class MemoryBus {
    private final List<MemoryTransport> transports = new CopyOnWriteArrayList<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Delivery> held = new ArrayList<>();
    private final Map<ClusterMessage.Kind, AtomicInteger> delivered = new ConcurrentHashMap<>();
    /** Messages published, delivered or not, by transport name and kind ("a PRESENCE_JOIN"). */
    private final Map<String, Integer> published = new java.util.HashMap<>();
    /** Messages from one transport to another, delivered, dropped or held, by "from>to KIND" and "from>to KIND broadcast". */
    private final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
    private volatile int maxMessageBytes = 1024 * 1024;

    /** One message on its way from one transport to another; {@code message} is null for bytes that do not decode. */
    record Delivery(MemoryTransport from, MemoryTransport to, String subject, byte[] bytes, ClusterMessage message) {
        boolean is(ClusterMessage.Kind kind) {
            return message != null && message.kind() == kind;
        }
    }

    /** Drops ({@code hold} false) or holds back the next {@code count} deliveries that match. */
    private record Rule(Predicate<Delivery> matches, AtomicInteger left, boolean hold) {}

    MemoryTransport transport(String name) {
        MemoryTransport transport = new MemoryTransport(this, name);
        transports.add(transport);
        return transport;
    }

    /** Messages bigger than this are refused, as NATS refuses them over max_payload. */
    void maxMessageBytes(int bytes) {
        maxMessageBytes = bytes;
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Loses the next {@code count} deliveries that match. */
    void drop(Predicate<Delivery> which, int count) {
        rules.add(new Rule(which, new AtomicInteger(count), false));
    }

    /** Holds back every delivery that matches until {@link #release}. */
    void hold(Predicate<Delivery> which) {
        rules.add(new Rule(which, new AtomicInteger(Integer.MAX_VALUE), true));
    }

    /** Ends every hold and delivers what was held, in order. */
    synchronized void release() {
        rules.removeIf(Rule::hold);
        held.forEach(delivery -> delivery.to().deliver(delivery.subject(), delivery.bytes()));
        held.clear();
    }

    /** How many messages of {@code kind} were handed to a receiver so far. */
    int delivered(ClusterMessage.Kind kind) {
        AtomicInteger count = delivered.get(kind);
        return count == null ? 0 : count.get();
    }

    /**
     * How many messages of {@code kind} went from {@code from} to {@code to} so far, delivered,
     * dropped or held: those addressed to it alone, and the broadcast ones too unless {@code addressedOnly}.
     */
    int sent(MemoryTransport from, MemoryTransport to, ClusterMessage.Kind kind, boolean addressedOnly) {
        String key = from + ">" + to + " " + kind;
        int addressed = sent.getOrDefault(key, new AtomicInteger()).get();
        return addressedOnly ? addressed : addressed + sent.getOrDefault(key + " broadcast", new AtomicInteger()).get();
    }

    /** Whether every drop rule has dropped as many as it was asked to. */
    boolean dropsDone() {
        return rules.stream().filter(rule -> !rule.hold()).allMatch(rule -> rule.left().get() <= 0);
    }

    /** Waits until {@code from} has published {@code count} messages of {@code kind} (delivered or not). */
    synchronized void awaitPublished(MemoryTransport from, ClusterMessage.Kind kind, int count) throws InterruptedException {
        long deadline = System.nanoTime() + MemoryNodes.WAIT.toNanos();
        String key = from + " " + kind;
        while (published.getOrDefault(key, 0) < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(from + " did not publish " + count + " " + kind + " within " + MemoryNodes.WAIT.toSeconds() + " s");
            }
            wait(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
        }
    }

    synchronized CompletionStage<Boolean> publish(MemoryTransport from, String subject, byte[] bytes) {
        if (!from.isConnected()) {
            return CompletableFuture.completedStage(false);
        }
        if (bytes.length > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + bytes.length + " bytes, over the bus's " + maxMessageBytes);
        }
        ClusterMessage message = ClusterMessage.decode(bytes);
        if (message != null) {
            published.merge(from + " " + message.kind(), 1, Integer::sum);
            notifyAll();
        }
        for (MemoryTransport to : transports) {
            if (!to.isConnected() || !to.listensTo(subject)) {
                continue;
            }
            Delivery delivery = new Delivery(from, to, subject, bytes, message);
            if (message != null) {
                String key = from + ">" + to + " " + message.kind() + (subject.endsWith("broadcast") ? " broadcast" : "");
                sent.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            }
            Rule rule = rules.stream().filter(r -> r.left().get() > 0 && r.matches().test(delivery)).findFirst().orElse(null);
            if (rule != null && rule.left().getAndDecrement() > 0) {
                if (rule.hold()) {
                    held.add(delivery);
                }
                continue;
            }
            if (message != null) {
                delivered.computeIfAbsent(message.kind(), kind -> new AtomicInteger()).incrementAndGet();
            }
            to.deliver(subject, bytes);
        }
        return CompletableFuture.completedStage(true);
    }

    // --- what tests match on ---

    static Predicate<Delivery> kind(ClusterMessage.Kind kind) {
        return delivery -> delivery.is(kind);
    }

    static Predicate<Delivery> to(MemoryTransport transport) {
        return delivery -> delivery.to() == transport;
    }

    static Predicate<Delivery> from(MemoryTransport transport) {
        return delivery -> delivery.from() == transport;
    }
}
