package io.herald.wire;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.MappingJsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.io.UncheckedIOException;

/**
 * Encodes server messages straight into complete WebSocket text frames (header + JSON payload).
 * Server frames are unmasked, so one encoded frame is byte-identical for every subscriber: it is
 * built once per publish and shared with {@code retainedDuplicate()}.
 */
public final class Frames {
    /** Room left in front of the payload for the largest frame header (2 + 8 bytes). */
    private static final int HEADER_ROOM = 10;
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    // A mapping factory, so bodies can write JsonNode trees (client event data) as they are.
    private static final JsonFactory JSON = new MappingJsonFactory();

    private Frames() {}

    /** Writes the JSON body of one message. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    /** A frame holding the JSON object that {@code body} writes (without the enclosing braces). */
    public static ByteBuf object(ByteBufAllocator alloc, int sizeHint, Body body) {
        ByteBuf buf = alloc.buffer(HEADER_ROOM + sizeHint + 64);
        buf.writerIndex(HEADER_ROOM);
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf), JsonEncoding.UTF8)) {
            json.writeStartObject();
            body.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return prependHeader(buf);
    }

    /** {@code {"event":E,"channel":C?,"data":D}} with {@code data} sent as a JSON string. */
    public static ByteBuf event(ByteBufAllocator alloc, String event, String channel, String data) {
        return object(alloc, data == null ? 64 : data.length() + 64, json -> {
            json.writeStringField("event", event);
            if (channel != null) {
                json.writeStringField("channel", channel);
            }
            if (data != null) {
                json.writeStringField("data", data);
            }
        });
    }

    /** {@code pusher_internal:member_added}; {@code userInfoJson} is raw JSON, or null for none. */
    public static ByteBuf memberAdded(ByteBufAllocator alloc, String channel, String userId, String userInfoJson) {
        return event(alloc, "pusher_internal:member_added", channel,
                "{\"user_id\":" + Jsons.quote(userId) + (userInfoJson == null ? "" : ",\"user_info\":" + userInfoJson) + "}");
    }

    public static ByteBuf memberRemoved(ByteBufAllocator alloc, String channel, String userId) {
        return event(alloc, "pusher_internal:member_removed", channel, "{\"user_id\":" + Jsons.quote(userId) + "}");
    }

    /** {@code {"event":"pusher_internal:watchlist_events","data":{"events":[{"name":S,"user_ids":[...]}]}}} */
    public static ByteBuf watchlistEvent(ByteBufAllocator alloc, String status, Set<String> userIds) {
        return object(alloc, 64 + userIds.size() * 16, json -> {
            json.writeStringField("event", "pusher_internal:watchlist_events");
            json.writeObjectFieldStart("data");
            json.writeArrayFieldStart("events");
            json.writeStartObject();
            json.writeStringField("name", status);
            json.writeArrayFieldStart("user_ids");
            for (String id : userIds) {
                json.writeString(id);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** {@code pusher:error} with {@code data} as an object: {@code {"code":N|null,"message":M}}. */
    public static ByteBuf error(ByteBufAllocator alloc, Integer code, String message, String channel) {
        return object(alloc, message.length() + 64, json -> {
            json.writeStringField("event", "pusher:error");
            if (channel != null) {
                json.writeStringField("channel", channel);
            }
            json.writeObjectFieldStart("data");
            if (code == null) {
                json.writeNullField("code");
            } else {
                json.writeNumberField("code", code);
            }
            json.writeStringField("message", message);
            json.writeEndObject();
        });
    }

    /** A text frame around an already-encoded JSON message (a cached event, for instance). */
    public static ByteBuf text(ByteBufAllocator alloc, byte[] json) {
        ByteBuf buf = alloc.buffer(HEADER_ROOM + json.length);
        buf.writerIndex(HEADER_ROOM);
        buf.writeBytes(json);
        return prependHeader(buf);
    }

    /** The JSON message inside a frame built here (a copy, without the frame header). */
    public static byte[] message(ByteBuf frame) {
        int lengthByte = frame.getUnsignedByte(frame.readerIndex() + 1) & 0x7f;
        int header = lengthByte < 126 ? 2 : lengthByte == 126 ? 4 : 10;
        byte[] json = new byte[frame.readableBytes() - header];
        frame.getBytes(frame.readerIndex() + header, json);
        return json;
    }

    /**
     * A complete pong frame echoing {@code payload} (a ping's, at most 125 bytes): built here like
     * every other frame so that it goes out through the connection's bounded send.
     */
    public static ByteBuf pong(ByteBufAllocator alloc, ByteBuf payload) {
        int length = payload.readableBytes();
        return controlFrame(alloc, 0xA, length).writeBytes(payload, payload.readerIndex(), length);
    }

    /**
     * A complete close frame; the reason is cut to the 123 bytes a control frame can carry (at a
     * character's boundary). Encoded here like every other frame: the connection's pipeline has
     * no WebSocket encoder.
     */
    public static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
        byte[] bytes = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_CLOSE_REASON_BYTES) {
            bytes = new String(bytes, 0, MAX_CLOSE_REASON_BYTES, StandardCharsets.UTF_8).replace("\uFFFD", "")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return controlFrame(alloc, 0x8, 2 + bytes.length).writeShort(code).writeBytes(bytes);
    }

    /** A control frame's header (FIN, {@code opcode}, length), ready for its payload of at most 125 bytes. */
    private static ByteBuf controlFrame(ByteBufAllocator alloc, int opcode, int payloadLength) {
        if (payloadLength > 125) {
            throw new IllegalArgumentException("control frame payload of " + payloadLength + " bytes (at most 125)");
        }
        ByteBuf frame = alloc.buffer(2 + payloadLength);
        frame.writeByte(0x80 | opcode);
        frame.writeByte(payloadLength);
        return frame;
    }

    /** Turns a buffer whose payload starts at {@link #HEADER_ROOM} into a complete text frame. */
    private static ByteBuf prependHeader(ByteBuf buf) {
        int length = buf.writerIndex() - HEADER_ROOM;
        int start;
        if (length < 126) {
            start = HEADER_ROOM - 2;
            buf.setByte(start + 1, length);
        } else if (length < 65536) {
            start = HEADER_ROOM - 4;
            buf.setByte(start + 1, 126);
            buf.setShort(start + 2, length);
        } else {
            start = HEADER_ROOM - 10;
            buf.setByte(start + 1, 127);
            buf.setLong(start + 2, length);
        }
        buf.setByte(start, 0x81); // FIN + text opcode
        buf.readerIndex(start);
        return buf;
    }
}
