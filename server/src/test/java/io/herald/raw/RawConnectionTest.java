package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static io.herald.raw.RawClient.parseData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Connection-level protocol over a raw WebSocket: handshake, pings, malformed frames, refusals. */
class RawConnectionTest {
    private static final String KEY = TestServers.APP_KEY;
    private static final App DISABLED = App.builder("disabled-id", "disabled-key", "disabled-secret").enabled(false).build();
    private static final App LIMITED = App.builder("limited-id", "limited-key", "limited-secret").maxConnections(2).build();

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.defaultApp(), DISABLED, LIMITED);
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    @Test
    void connectionEstablishedCarriesSocketIdAndActivityTimeout() {
        try (RawClient client = RawClient.connect(port, KEY)) {
            JsonNode message = client.expect("pusher:connection_established");
            JsonNode data = parseData(message);
            assertThat(data.path("socket_id").isTextual()).as("socket_id is a string: %s", data).isTrue();
            assertThat(data.path("socket_id").asText()).matches("\\d+\\.\\d+");
            assertThat(data.path("activity_timeout").isIntegralNumber()).as("%s", data).isTrue();
            assertThat(data.path("activity_timeout").asInt()).isEqualTo(120);
        }
    }

    @Test
    void socketIdsAreUnique() {
        try (RawClient a = RawClient.connectEstablished(port, KEY);
                RawClient b = RawClient.connectEstablished(port, KEY)) {
            assertThat(a.socketId()).isNotEqualTo(b.socketId());
        }
    }

    @Test
    void pusherPingGetsPusherPong() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            JsonNode pong = client.expect("pusher:pong");
            assertThat(pong.has("data")).as("%s", pong).isTrue();
            // data of server pusher:* events is a JSON string
            assertThat(parseData(pong).isObject()).isTrue();
        }
    }

    @Test
    void webSocketPingFrameGetsPongFrame() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            byte[] payload = "herald".getBytes(StandardCharsets.UTF_8);
            client.sendPingFrame(payload);
            ByteBuffer pong = client.nextPongFrame();
            assertThat(pong).isEqualTo(ByteBuffer.wrap(payload));
            assertThat(client.untilPong()).isEmpty();
        }
        assertServerServes(port, KEY);
    }

    private void assertProtocolErrorKeepsConnection(RawClient client) {
        client.expectError(null);
        assertThat(client.untilPong()).isEmpty();
        client.subscribeOk("after-error");
        assertThat(client.isClosed()).isFalse();
    }

    @Test
    void invalidJsonIsAnErrorAndTheConnectionStays() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{not json");
            assertProtocolErrorKeepsConnection(client);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void trailingGarbageAfterTheMessageIsInvalidJson() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"pusher:ping\"} garbage");
            assertThat(client.expectError(null).path("message").asText()).startsWith("Invalid JSON");
            client.send("{\"event\":\"pusher:ping\"} {\"event\":\"pusher:ping\"}");
            assertThat(client.expectError(null).path("message").asText()).startsWith("Invalid JSON");
            // Neither was executed: the only pong is the barrier's own.
            assertThat(client.untilPong()).isEmpty();
        }
        assertServerServes(port, KEY);
    }

    @Test
    void aClientsCloseIsEchoedWithoutAnError() throws Exception {
        for (int code : new int[] {1000, 1001}) {
            try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
                assertThat(raw.readFrame().text()).contains("pusher:connection_established");
                raw.sendFrame(true, RawFrameSocket.CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
                RawFrameSocket.Frame answer = raw.readFrame();
                assertThat(answer.opcode()).as("first frame after a %d close: %s", code, answer.text())
                        .isEqualTo(RawFrameSocket.CLOSE);
                assertThat(answer.closeCode()).isEqualTo(code);
            }
        }
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            assertThat(raw.readFrame().text()).contains("pusher:connection_established");
            raw.sendFrame(true, RawFrameSocket.CLOSE, new byte[0]); // no status code: answered with 1000
            RawFrameSocket.Frame answer = raw.readFrame();
            assertThat(answer.opcode()).as("first frame after an empty close: %s", answer.text())
                    .isEqualTo(RawFrameSocket.CLOSE);
            assertThat(answer.closeCode()).isEqualTo(1000);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void jsonThatIsNotAnObjectIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("[1,2,3]");
            assertProtocolErrorKeepsConnection(client);
            client.send("\"pusher:ping\"");
            assertProtocolErrorKeepsConnection(client);
            client.send("42");
            assertProtocolErrorKeepsConnection(client);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void binaryFrameIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.sendBinary("{\"event\":\"pusher:ping\",\"data\":{}}".getBytes(StandardCharsets.UTF_8));
            assertProtocolErrorKeepsConnection(client);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void unknownEventIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"foo\",\"data\":{}}");
            assertProtocolErrorKeepsConnection(client);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void unknownPusherEventIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"pusher:bogus\",\"data\":{}}");
            assertProtocolErrorKeepsConnection(client);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void missingEventIsAnError() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"data\":{}}");
            assertProtocolErrorKeepsConnection(client);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void fragmentedTextMessageIsReassembled() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.sendFragment("{\"event\":\"pusher:subscribe\",", false);
            client.sendFragment("\"data\":{\"channel\":\"fragments\"}}", true);
            client.expectSubscribed("fragments");
        }
        assertServerServes(port, KEY);
    }

    @Test
    void aMessageOverMaxPayloadGetsAnErrorAndTheConnectionStays() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(65 * 1024) + "\"}");
            assertThat(client.expectError(null).path("message").asText())
                    .matches("Message is \\d+ bytes; the largest a client may send is 64 KB \\(websocket_max_payload_kb\\)");
            client.send("{\"event\":\"pusher:ping\"}");
            client.expect("pusher:pong");
        }
    }

    @Test
    void aClientEventBetweenMaxPayloadAndTheAppsEventLimitGetsTheDocumentedError() {
        // websocket_max_payload_kb 64, max_event_payload_in_kb 100: an 80 KB event is refused with
        // pusher:error, as one over 100 KB would be, not closed with 1009.
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String channel = "private-big";
            client.subscribe(channel, ApiSigner.channelAuth(KEY, TestServers.APP_SECRET, client.socketId(), channel), null);
            client.expectSubscribed(channel);
            client.event("client-big", channel, "y".repeat(80 * 1024));
            assertThat(client.expectError(null).path("message").asText())
                    .contains("(websocket_max_payload_kb)");
            client.event("client-small", channel, "ok");
            client.send("{\"event\":\"pusher:ping\"}");
            client.expect("pusher:pong");
        }
    }

    @Test
    void singleTextFrameOverTheReadLimitClosesWith1009() throws Exception {
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            assertThat(raw.status()).isEqualTo(101);
            RawFrameSocket.Frame first = raw.readFrame();
            assertThat(first.text()).contains("pusher:connection_established");
            // Twice websocket_max_payload_kb, at least 256 KB, is not even read.
            String message = "{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(300 * 1024) + "\"}";
            try {
                raw.sendText(message);
            } catch (java.io.IOException e) {
                // the server may close while the frame is still being written; the close frame matters
            }
            RawFrameSocket.Frame close = raw.readUntilClose();
            assertThat(close.closeCode()).as("close frame %s", close.text()).isEqualTo(1009);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void fragmentedMessageOverTheReadLimitClosesWith1009() {
        // The JDK client splits a long text message into several frames, each under the limit.
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            String data = "x".repeat(300 * 1024);
            try {
                client.send("{\"event\":\"pusher:ping\",\"data\":\"" + data + "\"}");
            } catch (IllegalStateException e) {
                // the server may close while the message is still being written; the close code matters
            }
            RawClient.CloseInfo close = client.awaitClose();
            assertThat(close.code()).as("close %s", close).isEqualTo(1009);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void longMessageUnderMaxPayloadIsAccepted() {
        try (RawClient client = RawClient.connectEstablished(port, KEY)) {
            client.send("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(60 * 1024) + "\"}");
            client.expect("pusher:pong");
        }
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            raw.readFrame();
            raw.sendText("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(60 * 1024) + "\"}");
            assertThat(raw.readFrame().text()).contains("pusher:pong");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rawFragmentsAreReassembled() throws Exception {
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            raw.readFrame();
            raw.sendFrame(false, RawFrameSocket.TEXT, "{\"event\":\"pusher:subscr".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(false, 0x0, "ibe\",\"data\":{\"chan".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(true, 0x0, "nel\":\"raw-fragments\"}}".getBytes(StandardCharsets.UTF_8));
            String reply = raw.readFrame().text();
            assertThat(reply).contains("pusher_internal:subscription_succeeded").contains("raw-fragments");
        }
        assertServerServes(port, KEY);
    }

    /** Frames RFC 6455 forbids: each closes with 1002 and a reason, and the server serves on. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("framesThatBreakTheProtocol")
    void aProtocolViolationClosesWith1002(String what, byte[] frame) throws Exception {
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            assertThat(raw.readFrame().text()).contains("pusher:connection_established");
            raw.sendBytes(frame);
            RawFrameSocket.Frame close = raw.readUntilClose();
            assertThat(close.closeCode()).as("close frame %s", close.text()).isEqualTo(1002);
            assertThat(close.text()).as("a reason after the code").hasSizeGreaterThan(2);
        }
        assertServerServes(port, KEY);
    }

    static Stream<Arguments> framesThatBreakTheProtocol() {
        byte[] empty = {};
        return Stream.of(
                Arguments.of("an unmasked text frame", new byte[] {(byte) 0x81, 2, '{', '}'}),
                Arguments.of("a reserved data opcode", RawFrameSocket.maskedFrame(0x83, empty)),
                Arguments.of("a reserved bit set", RawFrameSocket.maskedFrame(0xC1, empty)),
                Arguments.of("a continuation outside a message", RawFrameSocket.maskedFrame(0x80, empty)),
                Arguments.of("a fragmented ping", RawFrameSocket.maskedFrame(0x09, empty)),
                Arguments.of("a close frame with a 1-byte body", RawFrameSocket.maskedFrame(0x88, new byte[] {7})));
    }

    @Test
    void aFragmentedBinaryMessageIsOneErrorAndItsPiecesAreSkipped() throws Exception {
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            raw.readFrame();
            raw.sendFrame(false, RawFrameSocket.BINARY, new byte[] {1, 2, 3});
            raw.sendFrame(false, 0x0, "{\"event\":\"pusher:ping\"}".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(true, 0x0, new byte[] {4, 5});
            raw.sendText("{\"event\":\"pusher:ping\"}");
            assertThat(raw.readFrame().text()).contains("Binary frames are not supported");
            assertThat(raw.readFrame().text()).as("the next message, not the binary's pieces").contains("pusher:pong");
        }
    }

    @Test
    void aFragmentedMessageBetweenMaxPayloadAndTheReadLimitGetsAnErrorAndTheConnectionStays() throws Exception {
        // 100 KB in 25 pieces: over websocket_max_payload_kb (64), within the read limit (256 KB).
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            raw.readFrame();
            byte[] piece = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);
            raw.sendFrame(false, RawFrameSocket.TEXT, piece);
            for (int i = 1; i < 25; i++) {
                raw.sendFrame(i == 24, 0x0, piece);
            }
            raw.sendText("{\"event\":\"pusher:ping\"}");
            assertThat(raw.readFrame().text()).contains("Message is 102400 bytes").contains("(websocket_max_payload_kb)");
            assertThat(raw.readFrame().text()).contains("pusher:pong");
        }
    }

    @Test
    void aPingBetweenFragmentsIsAnsweredAndTheMessageStillJoins() throws Exception {
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7")) {
            raw.readFrame();
            raw.sendFrame(false, RawFrameSocket.TEXT, "{\"event\":\"pusher:subscribe\",\"data\":".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(true, RawFrameSocket.PING, "hi".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(true, 0x0, "{\"channel\":\"raw-interleaved\"}}".getBytes(StandardCharsets.UTF_8));
            RawFrameSocket.Frame pong = raw.readFrame();
            assertThat(pong.opcode()).isEqualTo(RawFrameSocket.PONG);
            assertThat(pong.text()).isEqualTo("hi");
            assertThat(raw.readFrame().text()).contains("pusher_internal:subscription_succeeded").contains("raw-interleaved");
        }
    }

    @Test
    void aSubscribeSentWithTheUpgradeRequestIsAnswered() throws Exception {
        // The client does not wait for the 101: its first frame arrives in the same packet as the request.
        byte[] subscribe = RawFrameSocket.textFrame("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"raw-eager\"}}");
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/app/" + KEY + "?protocol=7", subscribe)) {
            assertThat(raw.status()).isEqualTo(101);
            assertThat(raw.readFrame().text()).contains("pusher:connection_established");
            assertThat(raw.readFrame().text()).contains("pusher_internal:subscription_succeeded").contains("raw-eager");
        }
        assertServerServes(port, KEY);
    }

    @Test
    void unknownKeyIsRefusedWith4001() {
        try (RawClient client = RawClient.connect(port, "no-such-key")) {
            client.expectError(4001);
            assertThat(client.awaitClose().code()).isEqualTo(4001);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void protocolBelowFiveIsRefusedWith4007() {
        try (RawClient client = RawClient.connect(uri("/app/" + KEY + "?protocol=4&client=java&version=1"), true, false)) {
            client.expectError(4007);
            assertThat(client.awaitClose().code()).isEqualTo(4007);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void nonNumericProtocolIsRefusedWith4007() {
        try (RawClient client = RawClient.connect(uri("/app/" + KEY + "?protocol=abc&client=java&version=1"), true, false)) {
            client.expectError(4007);
            assertThat(client.awaitClose().code()).isEqualTo(4007);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void missingProtocolMeansSeven() {
        try (RawClient client = RawClient.connect(uri("/app/" + KEY + "?client=java&version=1"), true, false)) {
            client.awaitEstablished();
            client.subscribeOk("no-protocol-param");
        }
        try (RawClient client = RawClient.connect(uri("/app/" + KEY), true, false)) {
            client.awaitEstablished();
            client.subscribeOk("no-query-at-all");
        }
    }

    @Test
    void protocolFiveAndSixAreAccepted() {
        for (String version : List.of("5", "6")) {
            try (RawClient client = RawClient.connect(uri("/app/" + KEY + "?protocol=" + version), true, false)) {
                client.awaitEstablished();
                client.subscribeOk("protocol-" + version);
            }
        }
    }

    @Test
    void unknownQueryParametersAreIgnored() {
        try (RawClient client = RawClient.connect(
                uri("/app/" + KEY + "?protocol=7&client=js&version=8.6.0&flash=false&whatever=1"), true, false)) {
            client.awaitEstablished();
            client.subscribeOk("extra-params");
        }
    }

    @Test
    void upgradeToAnotherPathIs404() {
        assertThat(RawClient.upgradeStatus(uri("/foo"))).isEqualTo(404);
        assertThat(RawClient.upgradeStatus(uri("/app"))).isEqualTo(404);
        try (RawFrameSocket raw = RawFrameSocket.open(port, "/foo?protocol=7")) {
            assertThat(raw.status()).isEqualTo(404);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void disabledAppIsRefusedWith4003() {
        try (RawClient client = RawClient.connect(port, DISABLED.key())) {
            client.expectError(4003);
            assertThat(client.awaitClose().code()).isEqualTo(4003);
        }
        assertServerServes(port, KEY);
    }

    @Test
    void connectionQuotaIsEnforcedWith4004() {
        try (RawClient first = RawClient.connectEstablished(port, LIMITED.key());
                RawClient second = RawClient.connectEstablished(port, LIMITED.key())) {
            try (RawClient third = RawClient.connect(port, LIMITED.key())) {
                third.expectError(4004);
                assertThat(third.awaitClose().code()).isEqualTo(4004);
            }
            first.sendClose(1000, "bye");
            first.awaitClose();

            // The server learns of the close asynchronously: a new connection must be admitted
            // within the 10 s deadline (a 4004 refusal before then is retried).
            long deadline = System.nanoTime() + RawClient.TIMEOUT_SECONDS * 1_000_000_000L;
            while (true) {
                try (RawClient fresh = RawClient.connect(port, LIMITED.key())) {
                    JsonNode message = fresh.next();
                    if ("pusher:connection_established".equals(message.path("event").asText())) {
                        fresh.subscribeOk("quota-freed");
                        break;
                    }
                    assertThat(message.path("data").path("code").asInt()).as("%s", message).isEqualTo(4004);
                    fresh.awaitClose();
                    assertThat(System.nanoTime()).as("slot freed before the deadline").isLessThan(deadline);
                }
            }
            assertThat(second.untilPong()).isEmpty();
        }
        assertServerServes(port, KEY);
    }
}
