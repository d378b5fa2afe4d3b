package io.herald.cluster;

import io.herald.events.ServerEvents;
import io.herald.testing.Poll;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Cluster adapters on one {@link MemoryBus}, with a handler and a listener that write down what
 * each node tells its subscribers and reports as facts, for tests to wait on.
 */
final class MemoryNodes implements AutoCloseable {
    static final String APP = "app";
    /** How long a test waits for an event before it fails (a guard, not a measurement). */
    static final Duration WAIT = Duration.ofSeconds(20);

    final MemoryBus bus = new MemoryBus();
    /** Every node's channel facts, as "node: occupied channel" / "node: added channel user" ... */
    final BlockingQueue<String> facts = new LinkedBlockingQueue<>();
    private final Timing timing;
    private final List<Node> nodes = new ArrayList<>();

    MemoryNodes(Timing timing) {
        this.timing = timing;
    }

    /** One node: its adapter, its transport, what it told its subscribers, and what it reported. */
    final class Node implements AdapterEventHandler, ServerEvents {
        final String id;
        final MemoryTransport transport;
        final ClusterAdapter adapter;
        /** What this node told its subscribers: "added channel user", "removed channel user", "online user" ... */
        final BlockingQueue<String> told = new LinkedBlockingQueue<>();
        /** Cluster requests as reported: "sent", "received", "response", "resolved complete|incomplete". */
        final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        final AtomicInteger resyncs = new AtomicInteger();
        /** This node's own channels and their subscription counts. */
        final Map<String, Integer> localChannels = new ConcurrentHashMap<>();

        Node(String id, long requestTimeoutMillis) {
            this.id = id;
            this.transport = bus.transport(id);
            this.adapter = new ClusterAdapter(id, transport, "test:", requestTimeoutMillis, Map::of, this, timing);
        }

        /** The next thing this node told its subscribers. */
        String nextTold() throws InterruptedException {
            return next(told, id + " telling its subscribers");
        }

        /** Occupies or vacates one of this node's channels, as its registry does. */
        void subscribers(String channel, int count) {
            if (count == 0) {
                localChannels.remove(channel);
            } else {
                localChannels.put(channel, count);
            }
            adapter.localOccupancyChanged(APP, channel);
        }

        // --- AdapterEventHandler ---

        @Override
        public void onPublish(String appId, String channel, ByteBuf frame, String excludeSocketId) {
            frame.release();
            told.add("publish " + channel);
        }

        @Override
        public void deliverMemberAdded(String appId, String channel, String userId, String userInfoJson, String excludeSocketId) {
            told.add("added " + channel + " " + userId);
        }

        @Override
        public void deliverMemberRemoved(String appId, String channel, String userId) {
            told.add("removed " + channel + " " + userId);
        }

        @Override
        public void deliverWatchlistStatus(String appId, String userId, String status) {
            told.add(status + " " + userId);
        }

        @Override
        public Map<String, ChannelSnapshot> localChannels(String appId, String prefix) {
            return localChannels.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> new ChannelSnapshot(e.getValue(), Set.of())));
        }

        @Override
        public ChannelSnapshot localChannel(String appId, String channel) {
            Integer count = localChannels.get(channel);
            return count == null ? ChannelSnapshot.EMPTY : new ChannelSnapshot(count, Set.of());
        }

        @Override
        public Set<String> localOnlineUsers(String appId, Set<String> userIds) {
            return Set.of();
        }

        @Override
        public void onTerminateUser(String appId, String userId) {
            told.add("terminate " + userId);
        }

        // --- ServerEvents ---

        @Override
        public boolean wantsChannelFacts(String appId) {
            return true;
        }

        @Override
        public void channelOccupied(String appId, String channel) {
            facts.add(id + ": occupied " + channel);
        }

        @Override
        public void channelVacated(String appId, String channel) {
            facts.add(id + ": vacated " + channel);
        }

        @Override
        public void memberAdded(String appId, String channel, String userId) {
            facts.add(id + ": added " + channel + " " + userId);
        }

        @Override
        public void memberRemoved(String appId, String channel, String userId) {
            facts.add(id + ": removed " + channel + " " + userId);
        }

        @Override
        public void presenceResynced() {
            resyncs.incrementAndGet();
        }

        @Override
        public void clusterRequestSent(String appId) {
            requests.add("sent");
        }

        @Override
        public void clusterRequestReceived(String appId) {
            requests.add("received");
        }

        @Override
        public void clusterResponseReceived(String appId) {
            requests.add("response");
        }

        @Override
        public void clusterRequestResolved(String appId, boolean complete, long nanos) {
            requests.add("resolved " + (complete ? "complete" : "incomplete"));
        }
    }

    Node start(String id) {
        return start(id, 5000);
    }

    Node start(String id, long requestTimeoutMillis) {
        Node node = new Node(id, requestTimeoutMillis);
        node.adapter.start(node);
        nodes.add(node);
        return node;
    }

    /** Waits until every given node counts all of them live (nothing announces it). */
    static void awaitLinked(Node... linked) throws InterruptedException {
        Poll.until("every node hears the others", WAIT, Duration.ofMillis(5),
                () -> java.util.Arrays.stream(linked).allMatch(node -> node.adapter.liveNodes() == linked.length),
                () -> java.util.Arrays.stream(linked).map(node -> node.id + " counts " + node.adapter.liveNodes()).toList().toString());
    }

    /**
     * Waits until {@code answerer} has answered every sync request {@code asker} sent it, broadcast
     * or addressed, each with a sync addressed to it. Call once {@code asker} follows {@code
     * answerer}'s state (it was told of a change): an answer still on its way would otherwise repair
     * a lost change before anything noticed it was lost.
     */
    void awaitSyncsAnswered(Node asker, Node answerer) throws InterruptedException {
        java.util.function.IntSupplier asked = () -> bus.sent(asker.transport, answerer.transport, ClusterMessage.Kind.SYNC_REQUEST, false);
        java.util.function.IntSupplier answered = () -> bus.sent(answerer.transport, asker.transport, ClusterMessage.Kind.SYNC, true);
        Poll.until(answerer.id + " answers " + asker.id + "'s sync requests", WAIT, Duration.ofMillis(5),
                () -> answered.getAsInt() >= asked.getAsInt(),
                () -> asked.getAsInt() + " requests, " + answered.getAsInt() + " answers");
    }

    /** Waits until every given node decides channel facts, each counting all of them (nothing announces it). */
    static void awaitDeciding(Node... deciding) throws InterruptedException {
        Poll.until("every node decides with the others", WAIT, Duration.ofMillis(5),
                () -> java.util.Arrays.stream(deciding).allMatch(node -> node.adapter.decidingNodes().size() == deciding.length),
                () -> java.util.Arrays.stream(deciding).map(node -> node.id + " " + node.adapter.decidingNodes()).toList().toString());
    }

    /** The next fact any node reported. */
    String nextFact() throws InterruptedException {
        return next(facts, "a channel fact");
    }

    static String next(BlockingQueue<String> queue, String what) throws InterruptedException {
        String next = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("nothing came within " + WAIT.toSeconds() + " s: waiting for " + what);
        }
        return next;
    }

    @Override
    public void close() {
        nodes.forEach(node -> node.adapter.close());
    }
}
