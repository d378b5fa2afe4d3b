package io.herald.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.cache.MemoryChannelCache;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.Connection;
import io.herald.channel.ConnectionQuota;
import io.herald.cluster.LocalAdapter;
import io.herald.events.ServerEvents;
import io.herald.protocol.PusherProtocol;
import io.herald.wire.Jsons;
import io.herald.wire.Signatures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Fuzzing what a client sends over an open WebSocket: the text frame's JSON parsing in
 * {@link WebSocketFrameHandler} and the protocol's dispatch ({@link PusherProtocol}), on a real
 * {@link Connection} over Netty's {@code EmbeddedChannel}. Each input is a short conversation:
 * raw text, or messages built from the protocol's events with fuzzed fields (half of them signed
 * correctly, so that authorized paths are reached too).
 *
 * <p>Property: no exception escapes, and every frame the server writes is well-formed: a text
 * frame holding a JSON object with an {@code event} string (an error is a {@code pusher:error}),
 * or a close frame with a code. The corpus is under src/test/resources/io/herald/transport/
 * ClientFramesFuzzTestInputs; see README, Tests, for a longer run.
 */
@Isolated("Jazzer's hooks report findings while a fuzz test runs; nothing else may run then")
class ClientFramesFuzzTest {
    private static final App APP = App.builder("fuzz-app", "fuzz-key", "fuzz-secret").enableClientMessages(true)
            .enableWatchlistEvents(true).maxPresenceMembersPerChannel(3).maxChannelNameLength(60).build();
    private static final List<String> EVENTS = List.of("pusher:ping", "pusher:pong", "pusher:subscribe", "pusher:unsubscribe",
            "pusher:signin", "client-event", "client-", "pusher:cache_miss", "pusher_internal:member_added", "other");
    private static final List<String> CHANNELS = List.of("public", "private-a", "presence-room", "private-encrypted-e",
            "cache-c", "private-cache-c", "presence-cache-p", "#server-to-user-1", "#watchlist", "private-", "presence-");

    @FuzzTest(maxDuration = "3m")
    void conversation(FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel();
        ChannelRegistry registry = new ChannelRegistry(channel.eventLoop(), ServerEvents.NONE);
        LocalAdapter adapter = new LocalAdapter(ServerEvents.NONE);
        adapter.start(registry);
        MemoryChannelCache cache = new MemoryChannelCache(60, 100);
        PusherProtocol protocol = new PusherProtocol(registry, adapter, cache, ServerEvents.NONE, 120, 5);
        ConnectionQuota quota = new ConnectionQuota();
        quota.tryAcquire(APP);
        WebSocketFrameHandler handler = new WebSocketFrameHandler(protocol, quota, 64 * 1024, 256 * 1024);
        channel.pipeline().addLast(handler);
        String socketId = "123." + Math.abs(data.consumeInt() % 1000);
        Connection connection = new Connection(channel, APP, socketId, registry.loopFor(channel.eventLoop()));
        try {
            handler.attach(connection);
            drain(channel);
            for (int i = 0; i < 12 && data.remainingBytes() > 0 && channel.isActive(); i++) {
                String text = data.consumeBoolean() ? data.consumeString(1000) : message(data, socketId);
                channel.writeInbound(new TextWebSocketFrame(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
                drain(channel);
            }
        } finally {
            channel.close();
            drain(channel);
            channel.finishAndReleaseAll(); // rethrows what the pipeline recorded
            adapter.close();
            cache.close();
        }
    }

    /** A message of the protocol with fuzzed fields. */
    private static String message(FuzzedDataProvider data, String socketId) {
        ObjectNode message = Jsons.MAPPER.createObjectNode();
        message.put("event", data.consumeBoolean() ? data.pickValue(EVENTS) : data.consumeString(30));
        String channelName = data.consumeBoolean() ? data.pickValue(CHANNELS) : data.pickValue(CHANNELS) + data.consumeString(20);
        ObjectNode body = Jsons.MAPPER.createObjectNode();
        switch (data.consumeInt(0, 3)) {
            case 0 -> message.put("data", data.consumeString(200));
            case 1 -> {
                body.put("channel", channelName);
                String channelData = null;
                if (data.consumeBoolean()) {
                    ObjectNode member = body.objectNode().put("user_id", data.consumeString(10));
                    if (data.consumeBoolean()) {
                        member.putObject("user_info").put("name", data.consumeString(20));
                    }
                    channelData = member.toString();
                    body.put("channel_data", channelData);
                }
                String payload = Signatures.channelAuthPayload(socketId, channelName, channelData);
                body.put("auth", data.consumeBoolean() ? APP.key() + ":" + Signatures.hmacSha256Hex(APP.secret(), payload)
                        : data.consumeString(80));
                message.set("data", body);
                message.put("channel", channelName);
            }
            case 2 -> {
                ObjectNode user = body.objectNode().put("id", data.consumeString(10));
                if (data.consumeBoolean()) {
                    user.putArray("watchlist").add(data.consumeString(10)).add("1");
                }
                String userData = data.consumeBoolean() ? user.toString() : data.consumeString(60);
                body.put("user_data", userData);
                body.put("auth", APP.key() + ":" + Signatures.hmacSha256Hex(APP.secret(),
                        Signatures.signInPayload(socketId, userData)));
                message.set("data", body);
            }
            default -> {
                message.put("channel", channelName);
                message.put("data", data.consumeString(100));
            }
        }
        return message.toString();
    }

    /** Runs what the connection's loop has queued and checks every frame written meanwhile. */
    private static void drain(EmbeddedChannel channel) {
        channel.runPendingTasks();
        if (channel.isOpen()) {
            channel.flushOutbound();
        }
        for (Object written = channel.readOutbound(); written != null; written = channel.readOutbound()) {
            try {
                checkWellFormed(written);
            } finally {
                ReferenceCountUtil.release(written);
            }
        }
    }

    private static void checkWellFormed(Object written) {
        if (!(written instanceof ByteBuf frame)) {
            fail("unexpected outbound message " + written);
            return;
        }
        int first = frame.getUnsignedByte(frame.readerIndex());
        assertThat(first & 0x80).as("FIN bit").isNotZero();
        int opcode = first & 0x0f;
        if (opcode == 0xA) {
            return; // a pong
        }
        if (opcode == 0x8) {
            int payload = frame.getUnsignedByte(frame.readerIndex() + 1);
            assertThat(payload).as("close frame payload length").isBetween(2, 125).isEqualTo(frame.readableBytes() - 2);
            assertThat(frame.getUnsignedShort(frame.readerIndex() + 2)).as("close code").isBetween(1000, 4999);
            return;
        }
        assertThat(opcode).as("text frame").isEqualTo(0x1);
        int length = frame.getUnsignedByte(frame.readerIndex() + 1);
        assertThat(length & 0x80).as("server frames are not masked").isZero();
        int header = (length & 0x7f) < 126 ? 2 : (length & 0x7f) == 126 ? 4 : 10;
        long declared = (length & 0x7f) < 126 ? length & 0x7f
                : (length & 0x7f) == 126 ? frame.getUnsignedShort(frame.readerIndex() + 2) : frame.getLong(frame.readerIndex() + 2);
        assertThat(declared).as("frame length").isEqualTo(frame.readableBytes() - header);
        JsonNode json;
        try {
            json = Jsons.MAPPER.readTree(frame.toString(frame.readerIndex() + header, (int) declared, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("a frame that is not JSON: " + frame.toString(StandardCharsets.UTF_8), e);
        }
        assertThat(json.isObject() && json.path("event").isTextual()).as("a message with an event: %s", json).isTrue();
    }
}
