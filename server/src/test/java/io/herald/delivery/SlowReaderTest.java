package io.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.connection.ConnectionState;
import io.herald.Herald;
import io.herald.testing.TestServers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A subscriber that stops reading must not grow the server's memory nor delay anyone else:
 * once its outbound buffer passes the bound it is closed with 4100, and the other subscribers
 * of the same channel receive every message.
 */
@Isolated("timing: the stuck client must be read within the server's close-drain window, so no other test class loads the machine meanwhile")
class SlowReaderTest {
    private static final String CHANNEL = "firehose";
    private static final int MESSAGES = 150;
    private static final int MESSAGE_BYTES = 90 * 1024; // under the 100 KB default event limit
    /** 70 x 90 KB = 6.2 MB: over the 1 MiB bound plus the largest default kernel send buffer (4 MB). */
    private static final int STUCK_CUT_BY = 70;

    private static Herald herald;

    @BeforeAll
    static void start() {
        herald = TestServers.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void slowReaderIsClosedWith4100AndOthersGetEveryMessage() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        Pusher reader = new Pusher(TestServers.APP_KEY, new PusherOptions()
                .setHost("127.0.0.1").setWsPort(herald.port()).setUseTLS(false));
        CountDownLatch subscribed = new CountDownLatch(1);
        reader.subscribe(CHANNEL, new com.pusher.client.channel.ChannelEventListener() {
            @Override
            public void onSubscriptionSucceeded(String channelName) {
                subscribed.countDown();
            }

            @Override
            public void onEvent(PusherEvent event) {
                received.add(event.getData());
            }
        }, "big");
        reader.connect();

        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096); // fill the kernel's share quickly
            stuck.connect(new InetSocketAddress("127.0.0.1", herald.port()));
            RawWebSocket raw = new RawWebSocket(stuck);
            raw.handshake("/app/" + TestServers.APP_KEY + "?protocol=7");
            assertThat(raw.readText()).contains("pusher:connection_established");
            raw.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + CHANNEL + "\"}}");
            assertThat(raw.readText()).contains("subscription_succeeded");
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();

            // The stuck socket reads nothing while we publish far more than its bound.
            com.pusher.rest.Pusher api = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
            api.setHost("127.0.0.1:" + herald.port());
            String payload = "x".repeat(MESSAGE_BYTES);
            // Published from another thread, so the checks below start while publishing goes on.
            CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(api.trigger(CHANNEL, "big", payload).getHttpStatus()).isEqualTo(200);
                }
            });

            String expected = "\"" + payload + "\""; // the REST library JSON-encodes string data
            List<String> got = new ArrayList<>();
            // By the time the reading client has STUCK_CUT_BY messages, the stuck one was sent more
            // than its bound plus any kernel buffer, so it has been cut: read it now, well within
            // the server's 5 s close-drain window, then check the rest of the reading client's.
            while (got.size() < STUCK_CUT_BY) {
                got.add(received.poll(10, TimeUnit.SECONDS));
            }
            int delivered = 0;
            int closeCode;
            while (true) {
                RawWebSocket.Frame frame = raw.readFrame();
                if (frame.opcode() == 8) {
                    closeCode = ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff);
                    break;
                }
                delivered++;
            }
            assertThat(closeCode).isEqualTo(4100);
            assertThat(delivered).as("messages the stuck client got before being cut").isLessThan(MESSAGES);

            publishing.get(30, TimeUnit.SECONDS);
            while (got.size() < MESSAGES) {
                got.add(received.poll(10, TimeUnit.SECONDS));
            }
            for (int i = 0; i < MESSAGES; i++) {
                assertThat(expected.equals(got.get(i))).as("message %d reached the reading client intact", i).isTrue();
            }
            assertThat(reader.getConnection().getState()).isEqualTo(ConnectionState.CONNECTED);
        } finally {
            reader.disconnect();
        }
    }

    /** Just enough of RFC 6455 to act as a client that controls exactly when it reads. */
    static final class RawWebSocket {
        record Frame(int opcode, byte[] payload) {}

        private final DataInputStream in;
        private final OutputStream out;

        RawWebSocket(Socket socket) throws IOException {
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        void handshake(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
        }

        void sendText(String text) throws IOException {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            byte[] mask = {1, 2, 3, 4};
            out.write(0x81);
            if (payload.length < 126) {
                out.write(0x80 | payload.length);
            } else {
                out.write(0x80 | 126);
                out.write(payload.length >> 8);
                out.write(payload.length & 0xff);
            }
            out.write(mask);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ mask[i % 4]);
            }
            out.flush();
        }

        String readText() throws IOException {
            return new String(readFrame().payload(), StandardCharsets.UTF_8);
        }

        Frame readFrame() throws IOException {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(first & 0x0f, payload);
        }
    }
}
