package io.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.raw.RawClient;
import io.herald.testing.TestServers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket ping frames from a client that never reads: every pong counts against the same 1 MiB
 * outbound bound as data, and the server stops reading from a socket it cannot write to. The
 * flooder is closed (4100) instead of filling the heap with pongs; everyone else is served.
 */
class PingFloodTest {
    /** Far more pongs than the bound and every kernel buffer on the way can hold. */
    private static final long FLOOD_BYTES = 64L * 1024 * 1024;

    private static Herald herald;

    @BeforeAll
    static void start() {
        // A 1 s activity timeout: once reading is paused, the server's own pusher:ping (which cannot
        // be written either) closes the flooder within a second even if no pong is left to send.
        herald = TestServers.start(TestServers.config(1, 30));
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    /** One masked ping frame with a 125-byte payload, the largest a control frame may carry. */
    private static byte[] pingFrame() {
        byte[] payload = "p".repeat(125).getBytes(StandardCharsets.US_ASCII);
        byte[] mask = {7, 11, 13, 17};
        ByteBuffer frame = ByteBuffer.allocate(2 + 4 + payload.length);
        frame.put((byte) 0x89).put((byte) (0x80 | payload.length)).put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return frame.array();
    }

    @Test
    void aPingFloodFromAClientThatNeverReadsIsClosedAndTheServerStaysHealthy() throws Exception {
        byte[] ping = pingFrame();
        byte[] block = new byte[ping.length * 512];
        for (int i = 0; i < 512; i++) {
            System.arraycopy(ping, 0, block, i * ping.length, ping.length);
        }
        long written = 0;
        IOException ended = null;
        try (Socket flooder = new Socket()) {
            flooder.setReceiveBufferSize(4096); // fill our side of the pongs' path quickly
            flooder.connect(new InetSocketAddress("127.0.0.1", herald.port()));
            SlowReaderTest.RawWebSocket raw = new SlowReaderTest.RawWebSocket(flooder);
            raw.handshake("/app/" + TestServers.APP_KEY + "?protocol=7");
            assertThat(raw.readText()).contains("pusher:connection_established");
            OutputStream out = flooder.getOutputStream();
            try {
                while (written < FLOOD_BYTES) {
                    out.write(block);
                    written += block.length;
                }
            } catch (IOException e) {
                ended = e; // the server closed the socket under our writes
            }
        }
        assertThat(ended).as("the server closed the flooding connection (after %d bytes of pings)", written).isNotNull();
        assertThat(written).isLessThan(FLOOD_BYTES);

        try (RawClient client = RawClient.connectEstablished(herald.port(), TestServers.APP_KEY)) {
            client.sendPingFrame("still here".getBytes(StandardCharsets.UTF_8));
            assertThat(client.nextPongFrame()).isEqualTo(ByteBuffer.wrap("still here".getBytes(StandardCharsets.UTF_8)));
        }
        RawClient.assertServerServes(herald.port(), TestServers.APP_KEY);
        assertThat(TestServers.up(herald).statusCode()).isEqualTo(200);
    }
}
