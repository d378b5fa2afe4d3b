package io.herald.cluster;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message between nodes, in a compact binary form: a format byte, the kind, the field count,
 * the sending node's id and boot id, the boot id of the one node it is for (null when it is for
 * every node), then length-prefixed UTF-8 fields, then an opaque body (a WebSocket frame, or
 * JSON). Published frames travel as bytes, so receivers deliver them without decoding or
 * re-encoding JSON.
 */
record ClusterMessage(Kind kind, Peer sender, String target, String[] fields, byte[] bytes, int bodyOffset) {
    /** 2: the boot id and the target came in; nodes of format 1 and 2 cannot read each other. */
    static final byte FORMAT = 2;
    private static final int NULL_FIELD = -1;

    enum Kind {
        /** fields: app, channel, excluded socket id; body: the frame. */
        PUBLISH,
        /**
         * I am alive. fields: "1" once I decide channel facts (see ChannelFacts), the version and the
         * digest of my replicated state (see ReplicatedState); body: my connections per app.
         */
        HEARTBEAT,
        /** I am shutting down: forget my presence members now. */
        BYE,
        /** fields: state version, app, channel, user id, user_info JSON (or null). */
        PRESENCE_JOIN,
        /** fields: state version, app, channel, user id. */
        PRESENCE_LEAVE,
        /** fields: state version, app, channel, "1" (I have subscribers now) or "0" (I have none left). */
        OCCUPANCY,
        /** Send me your state (to my node subject). */
        SYNC_REQUEST,
        /**
         * My whole state. fields: state version, "1" when I have just started (my earlier boots are
         * gone). body: JSON {"presence": {app: {channel: {user id: user_info JSON string or null}}},
         * "occupied": {app: [channel]}, "announced": [[app, channel, user id or null]]}.
         */
        SYNC,
        /** fields: request id, query, app, argument. */
        QUERY,
        /** fields: request id; body: JSON answer. */
        REPLY,
        /** fields: app, user id. */
        TERMINATE_USER,
        /** fields: app, channel, user id (null for the channel itself), "1" (announced present) or "0" (gone). */
        FACT,
        /**
         * One part of a message too big for the backend (see MessageParts). fields: message id,
         * part index, part count; body: that slice of the whole encoded message.
         */
        PART
    }

    /** Encodes a message; {@code body}'s readable bytes (if any) are copied, the buffer is left as it was. */
    static byte[] encode(Kind kind, Peer sender, String target, ByteBuf body, String... fields) {
        byte[][] encoded = new byte[fields.length + 3][];
        encoded[0] = utf8(sender.nodeId());
        encoded[1] = utf8(sender.boot());
        encoded[2] = utf8(target);
        for (int i = 0; i < fields.length; i++) {
            encoded[i + 3] = utf8(fields[i]);
        }
        int size = 3;
        for (byte[] field : encoded) {
            size += 4 + (field == null ? 0 : field.length);
        }
        int bodyLength = body == null ? 0 : body.readableBytes();
        ByteBuffer out = ByteBuffer.allocate(size + bodyLength);
        out.put(FORMAT).put((byte) kind.ordinal()).put((byte) fields.length);
        for (byte[] field : encoded) {
            if (field == null) {
                out.putInt(NULL_FIELD);
            } else {
                out.putInt(field.length).put(field);
            }
        }
        if (body != null) {
            body.getBytes(body.readerIndex(), out.array(), out.position(), bodyLength);
        }
        return out.array();
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** Null for bytes this build cannot read (another format, or damaged). */
    static ClusterMessage decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != FORMAT) {
                return null;
            }
            int kind = in.get();
            int count = in.get();
            if (kind < 0 || kind >= Kind.values().length || count < 0) {
                return null;
            }
            String origin = readField(in);
            String boot = readField(in);
            String target = readField(in);
            String[] fields = new String[count];
            for (int i = 0; i < count; i++) {
                fields[i] = readField(in);
            }
            if (origin == null || boot == null) {
                return null;
            }
            return new ClusterMessage(Kind.values()[kind], new Peer(origin, boot), target, fields, bytes, in.position());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The format byte of a message this build could not read: 1 is an earlier Herald. */
    static int formatOf(byte[] bytes) {
        return bytes.length == 0 ? -1 : bytes[0];
    }

    private static String readField(ByteBuffer in) {
        int length = in.getInt();
        if (length == NULL_FIELD) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("field length " + length);
        }
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }

    String field(int index) {
        return index < fields.length ? fields[index] : null;
    }

    /** A numeric field, or {@code otherwise} when it is absent or not a number. */
    long longField(int index, long otherwise) {
        try {
            String value = field(index);
            return value == null ? otherwise : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    int bodyLength() {
        return bytes.length - bodyOffset;
    }

    byte[] body() {
        return Arrays.copyOfRange(bytes, bodyOffset, bytes.length);
    }
}
