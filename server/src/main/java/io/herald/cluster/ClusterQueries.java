package io.herald.cluster;

import io.herald.cluster.ClusterMessage.Kind;
import io.herald.events.ServerEvents;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel queries for the whole cluster (the occupied channels of an app, one channel): asked of
 * every live node over the bus (scatter) and merged with this node's own answer as the answers
 * come (gather); a node that does not answer within the timeout, or leaves meanwhile, is left
 * out. This node answers the others' queries too. Everything but {@link #channels} and
 * {@link #channel} runs on the adapter's control thread.
 */
final class ClusterQueries {
    private static final Logger log = LoggerFactory.getLogger(ClusterQueries.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A query all nodes answered (or that timed out), merged with this node's own answer. */
    private static final class Pending<T> {
        final String appId;
        final long startedNanos = System.nanoTime();
        final Set<Peer> waitingFor;
        final Function<JsonNode, T> parse;
        final BinaryOperator<T> merge;
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;

        Pending(String appId, Set<Peer> waitingFor, T local, Function<JsonNode, T> parse, BinaryOperator<T> merge) {
            this.appId = appId;
            this.waitingFor = waitingFor;
            this.result = local;
            this.parse = parse;
            this.merge = merge;
        }

        /** Returns true when nobody else needs to answer. */
        boolean answered(Peer node, JsonNode answer) {
            if (waitingFor.remove(node) && answer != null) {
                result = merge.apply(result, parse.apply(answer));
            }
            return waitingFor.isEmpty();
        }

        void complete() {
            future.complete(result);
        }
    }

    private final ScheduledExecutorService control;
    private final long timeoutMillis;
    private final Supplier<Set<Peer>> otherNodes;
    private final ClusterBus bus;
    private final ServerEvents events;
    /** Queries waiting for answers; control only. */
    private final Map<Long, Pending<?>> pending = new HashMap<>();
    private long nextRequestId;

    ClusterQueries(ScheduledExecutorService control, long timeoutMillis, Supplier<Set<Peer>> otherNodes, ClusterBus bus,
                   ServerEvents events) {
        this.events = events;
        this.control = control;
        this.timeoutMillis = timeoutMillis;
        this.otherNodes = otherNodes;
        this.bus = bus;
    }

    CompletableFuture<Map<String, ChannelSnapshot>> channels(String appId, String prefix, Map<String, ChannelSnapshot> local) {
        return ask("channels", appId, prefix, local, answer -> {
            Map<String, ChannelSnapshot> channels = new HashMap<>();
            answer.properties().forEach(entry -> channels.put(entry.getKey(), snapshotFrom(entry.getValue())));
            return channels;
        }, (a, b) -> {
            Map<String, ChannelSnapshot> merged = new HashMap<>(a);
            b.forEach((channel, snapshot) -> merged.merge(channel, snapshot, ChannelSnapshot::merge));
            return merged;
        });
    }

    CompletableFuture<ChannelSnapshot> channel(String appId, String channel, ChannelSnapshot local) {
        return ask("channel", appId, channel, local, ClusterQueries::snapshotFrom, ChannelSnapshot::merge);
    }

    private <T> CompletableFuture<T> ask(String query, String appId, String argument, T local,
                                         Function<JsonNode, T> parse, BinaryOperator<T> merge) {
        Pending<T> request = new Pending<>(appId, new HashSet<>(otherNodes.get()), local, parse, merge);
        if (request.waitingFor.isEmpty()) {
            return CompletableFuture.completedFuture(local);
        }
        control.execute(() -> {
            long id = ++nextRequestId;
            pending.put(id, request);
            try {
                bus.broadcast(Kind.QUERY, (byte[]) null, Long.toString(id), query, appId, argument);
                events.clusterRequestSent(appId);
            } catch (RuntimeException e) {
                log.warn("cluster query '{}' could not be sent: {}", query, e.toString());
            }
            control.schedule(() -> {
                if (pending.remove(id) != null) {
                    log.warn("cluster query '{}' timed out after {} ms without an answer from {}",
                            query, timeoutMillis, request.waitingFor);
                    finish(request, false);
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        });
        return request.future;
    }

    /** Another node's query: this node's answer goes back to it alone. */
    void asked(Peer asker, ClusterMessage query, AdapterEventHandler handler) throws IOException {
        events.clusterRequestReceived(query.field(2));
        JsonNode answer = answer(query.field(1), query.field(2), query.field(3), handler);
        bus.sendTo(asker, Kind.REPLY, answer == null ? null : JSON.writeValueAsBytes(answer), query.field(0));
    }

    /** This node's answer to another node's query; null for a query a newer node knows (answering nothing still ends its wait). */
    private static JsonNode answer(String query, String appId, String argument, AdapterEventHandler handler) {
        return switch (query) {
            case "channels" -> {
                ObjectNode channels = JsonNodeFactory.instance.objectNode();
                handler.localChannels(appId, argument).forEach((name, snapshot) -> channels.set(name, snapshotJson(snapshot)));
                yield channels;
            }
            case "channel" -> snapshotJson(handler.localChannel(appId, argument));
            default -> null;
        };
    }

    /** Another node answered one of our requests (with no body when it had no answer). */
    void replied(Peer node, ClusterMessage reply) throws IOException {
        long id = reply.longField(0, -1);
        Pending<?> request = pending.get(id);
        JsonNode answer = reply.bodyLength() == 0 ? null : JSON.readTree(reply.bytes(), reply.bodyOffset(), reply.bodyLength());
        if (request != null) {
            events.clusterResponseReceived(request.appId);
            if (request.answered(node, answer)) {
                finish(pending.remove(id), true);
            }
        }
    }

    /** A node left: no query waits for it any longer. */
    void nodeGone(Peer node) {
        for (Long id : List.copyOf(pending.keySet())) {
            if (pending.get(id).answered(node, null)) {
                finish(pending.remove(id), false);
            }
        }
    }

    /** {@code complete}: every node answered; otherwise the timeout or a node's leaving ended the wait. */
    private void finish(Pending<?> request, boolean complete) {
        events.clusterRequestResolved(request.appId, complete, System.nanoTime() - request.startedNanos);
        request.complete();
    }

    private static ObjectNode snapshotJson(ChannelSnapshot snapshot) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("s", snapshot.subscriptionCount());
        ArrayNode users = json.putArray("u");
        snapshot.userIds().forEach(users::add);
        return json;
    }

    private static ChannelSnapshot snapshotFrom(JsonNode json) {
        Set<String> users = new HashSet<>();
        json.path("u").forEach(id -> users.add(id.asText()));
        return new ChannelSnapshot(json.path("s").asInt(), users);
    }
}
