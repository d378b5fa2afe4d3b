package io.herald.cluster;

import io.herald.logs.EveryMinute;
import io.herald.cluster.ClusterMessage.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's end of the bus: what every message says about its sender (node id and boot id),
 * who it is for, how it is split when it is too big for the backend, and which received messages
 * concern this node at all. Every node listens to the broadcast subject and to a subject of its
 * own; a message for one node carries that node's boot id, so a twin with the same node id
 * (which listens to the same subject) leaves it alone.
 */
final class ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(ClusterBus.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Peer self;
    private final ClusterTransport transport;
    private final String broadcastSubject;
    private final String nodeSubjectPrefix;
    private final MessageParts parts;
    private final EveryMinute unreadable = new EveryMinute();

    ClusterBus(String nodeId, ClusterTransport transport, String prefix) {
        this.self = new Peer(nodeId, newBootId());
        this.transport = transport;
        this.broadcastSubject = prefix + "broadcast";
        this.nodeSubjectPrefix = prefix + "node.";
        this.parts = new MessageParts(self);
    }

    /** 16 hex digits, random for every start of the process. */
    private static String newBootId() {
        return String.format("%016x", RANDOM.nextLong());
    }

    Peer self() {
        return self;
    }

    /**
     * Listens; {@code receiver} gets every message of another node (or of a twin of this node) on
     * the transport's threads, whole, and {@code resubscribed} runs when the transport listens
     * again after losing its connection.
     */
    void start(Consumer<ClusterMessage> receiver, Runnable resubscribed) {
        transport.start(List.of(broadcastSubject, nodeSubject(self.nodeId())), new ClusterTransport.Receiver() {
            @Override
            public void message(String subject, byte[] bytes) {
                receive(subject, bytes, receiver);
            }

            @Override
            public void resubscribed() {
                resubscribed.run();
            }
        });
    }

    /** To every node; completes when the backend took it (true) or refused it (false). */
    CompletionStage<Boolean> broadcast(Kind kind, byte[] body, String... fields) {
        return send(broadcastSubject, null, kind, body == null ? null : Unpooled.wrappedBuffer(body), fields);
    }

    /** To every node, with a frame as the body (copied; the buffer is left as it was). */
    CompletionStage<Boolean> broadcast(Kind kind, ByteBuf body, String... fields) {
        return send(broadcastSubject, null, kind, body, fields);
    }

    /** To one node only. */
    void sendTo(Peer peer, Kind kind, byte[] body, String... fields) {
        send(nodeSubject(peer.nodeId()), peer.boot(), kind, body == null ? null : Unpooled.wrappedBuffer(body), fields);
    }

    private CompletionStage<Boolean> send(String subject, String target, Kind kind, ByteBuf body, String... fields) {
        byte[] message = ClusterMessage.encode(kind, self, target, body, fields);
        int limit = Math.min(MessageParts.MAX_PART_BYTES, transport.maxMessageBytes());
        return parts.send(message, target, limit, part -> transport.publish(subject, part));
    }

    private void receive(String subject, byte[] bytes, Consumer<ClusterMessage> receiver) {
        ClusterMessage message = ClusterMessage.decode(bytes);
        if (message == null) {
            long held = unreadable.due(subject);
            if (held >= 0) {
                log.warn("ignored an unreadable message on {} ({} bytes{}){}", subject, bytes.length,
                        ClusterMessage.formatOf(bytes) == 1 ? ", from a node of an earlier Herald: every node must run this version" : "",
                        held > 0 ? "; " + held + " more in the last minute" : "");
            }
            return;
        }
        if (message.sender().equals(self) || (message.target() != null && !message.target().equals(self.boot()))) {
            return; // our own message echoed back, or one for a twin that listens to the same subject
        }
        if (message.kind() == Kind.PART) {
            Peer sender = message.sender();
            byte[] whole = parts.join(subject, message);
            if (whole == null) {
                return; // more parts to come (or one was lost)
            }
            message = ClusterMessage.decode(whole);
            if (message == null || message.kind() == Kind.PART || !message.sender().equals(sender)) {
                log.warn("ignored an unreadable {} byte message joined from parts of {} on {}", whole.length, sender, subject);
                return;
            }
        }
        receiver.accept(message);
    }

    /** Forgets a message {@code peer} was sending in parts (it left). */
    void forget(Peer peer) {
        parts.forget(peer);
    }

    /** Drops messages whose parts stopped coming. */
    void expireParts() {
        parts.expire();
    }

    /**
     * The subject only {@code nodeId}'s node listens to. Node ids are free text
     * (instance.process_id), and a NATS subject token takes no spaces, dots or wildcards: every
     * character but letters, digits and '-' becomes '_' and the hex of its UTF-8 bytes. No two
     * ids share a subject ({@code a.b} is {@code a_2Eb}, {@code a_b} is {@code a_5Fb}).
     */
    String nodeSubject(String nodeId) {
        return nodeSubjectPrefix + subjectToken(nodeId);
    }

    static String subjectToken(String text) {
        StringBuilder token = new StringBuilder(text.length() + 8);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                token.append(c);
            } else {
                token.append('_').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return token.toString();
    }

    boolean isConnected() {
        return transport.isConnected();
    }

    boolean probe(Duration timeout) {
        return transport.probe(timeout);
    }

    String name() {
        return transport.name();
    }

    void close() {
        transport.close();
    }
}
