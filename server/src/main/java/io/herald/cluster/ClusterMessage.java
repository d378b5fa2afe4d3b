package io.herald.cluster;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message between nodes, in a compact binary form: a format byte, the kind, the sending node,
 * then length-prefixed UTF-8 fields, then an opaque body (a WebSocket frame, or JSON). Published
 * frames travel as bytes, so receivers deliver them without decoding or re-encoding JSON.
 */
record ClusterMessage(Kind kind, String origin, String[] fields, byte[] bytes, int bodyOffset) {
    private static final byte FORMAT = 1;
    private static final int NULL_FIELD = -1;

    enum Kind {
        /** fields: app, channel, excluded socket id; body: the frame. */
        PUBLISH,
        /** I am alive. fields: "1" once I decide channel facts (see ChannelFacts); body: my connections per app. */
        HEARTBEAT,
        /** I am shutting down: forget my presence members now. */
        BYE,
        /** fields: app, channel, user id, user_info JSON (or null). */
        PRESENCE_JOIN,
        /** fields: app, channel, user id. */
        PRESENCE_LEAVE,
        /** Send me your presence members (to my node subject). */
        SYNC_REQUEST,
        /**
         * body: JSON {"presence": {app: {channel: {user id: user_info JSON string or null}}},
         * "occupied": {app: [channel]}, "announced": [[app, channel, user id or null]]}.
         */
        SYNC,
        /** fields: request id, query, app, argument. */
        QUERY,
        /** fields: request id; body: JSON answer. */
        REPLY,
        /** fields: app, user id. */
        TERMINATE_USER,
        /** fields: app, channel, "1" (I have subscribers now) or "0" (I have none left). */
        OCCUPANCY,
        /** fields: app, channel, user id (null for the channel itself), "1" (announced present) or "0" (gone). */
        FACT
    }

    /** Encodes a message; {@code body}'s readable bytes (if any) are copied, the buffer is left as it was. */
    static byte[] encode(Kind kind, String origin, ByteBuf body, String... fields) {
        byte[][] encoded = new byte[fields.length + 1][];
        int size = 3;
        encoded[0] = origin.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < fields.length; i++) {
            encoded[i + 1] = fields[i] == null ? null : fields[i].getBytes(StandardCharsets.UTF_8);
        }
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
            String[] fields = new String[count];
            for (int i = 0; i < count; i++) {
                fields[i] = readField(in);
            }
            return origin == null ? null : new ClusterMessage(Kind.values()[kind], origin, fields, bytes, in.position());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String readField(ByteBuffer in) {
        int length = in.getInt();
        if (length == NULL_FIELD) {
            return null;
        }
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }

    String field(int index) {
        return index < fields.length ? fields[index] : null;
    }

    int bodyLength() {
        return bytes.length - bodyOffset;
    }

    byte[] body() {
        return Arrays.copyOfRange(bytes, bodyOffset, bytes.length);
    }
}
