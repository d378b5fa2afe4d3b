package io.herald.cluster;

import io.herald.cluster.ClusterMessage.Kind;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a message bigger than the backend takes into {@link Kind#PART} messages, and joins them
 * again on the receiving side. NATS refuses a message over the server's {@code max_payload} (1 MB
 * by default), and a sync of a few full presence channels is bigger; on Redis one huge message
 * holds up every other one behind it. So no message on the bus exceeds {@link #MAX_PART_BYTES}.
 *
 * <p>A sender's parts of one message are published back to back (see {@link #split}), and the
 * backend keeps one sender's order on one subject, so a receiver joins at most one message per
 * sender and subject at a time: a part that does not follow the previous one means a part was
 * lost, and the whole message is dropped, as a lost message would be.
 */
final class MessageParts {
    private static final Logger log = LoggerFactory.getLogger(MessageParts.class);
    /** The largest message put on the bus, whatever the backend would take. */
    static final int MAX_PART_BYTES = 256 * 1024;
    /** The largest message a node joins from parts; a bigger one is dropped and logged. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    /** A message whose next part has not come for this long is dropped (its sender may have died). */
    static final long PART_TIMEOUT_MILLIS = 30_000;

    private final Peer self;
    private final AtomicLong nextId = new AtomicLong();
    private final ConcurrentHashMap<Source, Joining> joining = new ConcurrentHashMap<>();
    /** Held while one message's parts are handed to the transport, so no other message's parts come between them. */
    private final Object sending = new Object();

    private record Source(String subject, Peer sender) {}

    /** A message being joined: its parts so far, in order. */
    private static final class Joining {
        final long id;
        final int count;
        final long startedNanos = System.nanoTime();
        byte[] bytes;
        int size;
        int next;

        Joining(long id, int count, int firstPartLength) {
            this.id = id;
            this.count = count;
            this.bytes = new byte[(int) Math.min(MAX_MESSAGE_BYTES, (long) firstPartLength * count)];
        }

        boolean append(byte[] from, int offset, int length) {
            if ((long) size + length > MAX_MESSAGE_BYTES) {
                return false;
            }
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(MAX_MESSAGE_BYTES, Math.max(size + length, bytes.length * 2)));
            }
            System.arraycopy(from, offset, bytes, size, length);
            size += length;
            next++;
            return true;
        }
    }

    /** How parts go out: one at a time, in order, to one subject. */
    @FunctionalInterface
    interface Publisher {
        CompletionStage<Boolean> publish(byte[] message);
    }

    MessageParts(Peer self) {
        this.self = self;
    }

    /**
     * Publishes {@code whole} as it is when it fits in {@code limit} bytes, else as parts that
     * each fit, back to back. Completes as the last part's publish does.
     */
    CompletionStage<Boolean> send(byte[] whole, String target, int limit, Publisher publisher) {
        if (whole.length <= limit) {
            return publisher.publish(whole);
        }
        if (whole.length > MAX_MESSAGE_BYTES) {
            log.error("a {} byte cluster message was not sent: the most a node takes is {} bytes", whole.length, MAX_MESSAGE_BYTES);
            return CompletableFuture.completedStage(false);
        }
        int room = limit - overhead(target);
        if (room < 1024) {
            throw new IllegalStateException("the cluster backend takes messages of at most " + limit + " bytes, too few to split into");
        }
        String id = Long.toString(nextId.incrementAndGet());
        int count = (whole.length + room - 1) / room;
        List<byte[]> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int offset = i * room;
            parts.add(ClusterMessage.encode(Kind.PART, self, target,
                    Unpooled.wrappedBuffer(whole, offset, Math.min(room, whole.length - offset)),
                    id, Integer.toString(i), Integer.toString(count)));
        }
        CompletionStage<Boolean> last = null;
        synchronized (sending) {
            for (byte[] part : parts) {
                last = publisher.publish(part);
            }
        }
        return last;
    }

    /** Bytes a part adds around its slice, at most. */
    private int overhead(String target) {
        return ClusterMessage.encode(Kind.PART, self, target, null,
                Long.toString(Long.MAX_VALUE), Integer.toString(Integer.MAX_VALUE), Integer.toString(Integer.MAX_VALUE)).length;
    }

    /** A part received on {@code subject}: the whole message once its last part came, else null. */
    byte[] join(String subject, ClusterMessage part) {
        long id = part.longField(0, -1);
        long index = part.longField(1, -1);
        long count = part.longField(2, -1);
        Source source = new Source(subject, part.sender());
        if (id < 0 || index < 0 || count < 1 || index >= count) {
            joining.remove(source);
            return null;
        }
        if (index == 0) {
            Joining dropped = joining.put(source, new Joining(id, (int) count, part.bodyLength()));
            if (dropped != null) {
                log.warn("dropped a cluster message from {}: part {} of {} never came", part.sender(), dropped.next, dropped.count);
            }
        }
        Joining message = joining.get(source);
        if (message == null || message.id != id || message.next != index) {
            if (message != null) {
                joining.remove(source);
                log.warn("dropped a cluster message from {}: part {} of {} never came", part.sender(), message.next, message.count);
            }
            return null;
        }
        if (!message.append(part.bytes(), part.bodyOffset(), part.bodyLength())) {
            joining.remove(source);
            log.error("dropped a cluster message from {}: it is over {} bytes", part.sender(), MAX_MESSAGE_BYTES);
            return null;
        }
        if (message.next < message.count) {
            return null;
        }
        joining.remove(source);
        return message.size == message.bytes.length ? message.bytes : Arrays.copyOf(message.bytes, message.size);
    }

    /** Drops what {@code sender} was sending (it left). */
    void forget(Peer sender) {
        joining.keySet().removeIf(source -> source.sender().equals(sender));
    }

    /** Drops messages whose next part is overdue, so a sender that died mid-message holds no memory. */
    void expire() {
        long oldest = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(PART_TIMEOUT_MILLIS);
        joining.values().removeIf(message -> message.startedNanos - oldest < 0);
    }
}
