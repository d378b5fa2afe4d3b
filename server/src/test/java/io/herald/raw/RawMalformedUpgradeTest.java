package io.herald.raw;

import static io.herald.raw.RawClient.assertServerServes;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.testing.CapturedLogs;
import io.herald.testing.TestServers;
import io.netty.util.concurrent.AbstractEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upgrades that are not valid WebSocket handshakes are answered 400 and closed, with one debug
 * line each: no silent socket left open, no stack trace in the log.
 */
class RawMalformedUpgradeTest {
    private static final String HANDLER_LOGGER = "io.herald.transport.HttpRequestHandler";
    private static final String KEY_HEADER = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    private static Herald herald;
    private static int port;

    @BeforeAll
    static void start() {
        herald = TestServers.start();
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    /** What the server answered and whether it closed the socket afterwards. */
    record Answer(String head, String body, boolean closed, int localPort) {
        int status() {
            return Integer.parseInt(head.split(" ")[1]);
        }
    }

    /** Sends {@code headers} as an upgrade to /app/{key}; reads the answer and then until the end of the stream. */
    private static Answer send(String method, String headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout((int) (RawClient.TIMEOUT_SECONDS * 1000));
            socket.getOutputStream().write((method + " /app/" + TestServers.APP_KEY + "?protocol=7 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            boolean closed;
            try {
                in.transferTo(all); // returns at the end of the stream: the server closed
                closed = true;
            } catch (java.net.SocketTimeoutException e) {
                closed = false;
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            return new Answer(end < 0 ? text : text.substring(0, end), end < 0 ? "" : text.substring(end + 4), closed,
                    socket.getLocalPort());
        }
    }

    @Test
    void malformedUpgradesAre400AndClosedWithOneDebugLineEach() throws IOException {
        try (CapturedLogs logs = CapturedLogs.of(AbstractEventExecutor.class)) {
            List<Answer> answers;
            try (CapturedLogs handlerLogs = CapturedLogs.ofLoggers(HANDLER_LOGGER).atDebug()) {
                answers = List.of(
                        send("GET", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"),
                        send("GET", "Upgrade: websocket\r\n" + KEY_HEADER + "Sec-WebSocket-Version: 13\r\n"),
                        send("GET", "Upgrade: websocket\r\nConnection: keep-alive\r\n" + KEY_HEADER
                                + "Sec-WebSocket-Version: 13\r\n"),
                        send("POST", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + KEY_HEADER
                                + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n"),
                        send("GET", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + KEY_HEADER));
                for (Answer answer : answers) {
                    assertThat(answer.head()).as("answer to a malformed upgrade").startsWith("HTTP/1.1 400");
                    assertThat(answer.body()).contains("\"error\"");
                    assertThat(answer.closed()).as("socket closed after the 400").isTrue();
                    List<String> lines = handlerLogs.all().stream()
                            .filter(line -> line.contains(":" + answer.localPort())).toList();
                    assertThat(lines).as("debug lines about the client on port %d", answer.localPort()).hasSize(1);
                }
                assertThat(handlerLogs.withThrowable()).as("stack traces logged by the request handler").isEmpty();
            }
            assertThat(logs.all()).as("tasks that raised an exception on the event loop").isEmpty();
        }
        assertThat(answersFor("Sec-WebSocket-Key: ")).contains("Sec-WebSocket-Key");
        assertServerServes(port, TestServers.APP_KEY);
    }

    /** The error message of an upgrade with the given incomplete key header. */
    private static String answersFor(String keyHeader) throws IOException {
        Answer answer = send("GET", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + keyHeader + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n");
        assertThat(answer.status()).isEqualTo(400);
        return answer.body();
    }

    @Test
    void anUnsupportedVersionIs426() throws IOException {
        Answer answer = send("GET", "Upgrade: websocket\r\nConnection: Upgrade\r\n" + KEY_HEADER
                + "Sec-WebSocket-Version: 5\r\n");
        assertThat(answer.status()).isEqualTo(426);
        assertThat(answer.head()).containsIgnoringCase("Sec-WebSocket-Version: 13");
        assertThat(answer.closed()).isTrue();
    }

    @Test
    void firefoxsConnectionHeaderIsAccepted() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout((int) (RawClient.TIMEOUT_SECONDS * 1000));
            socket.getOutputStream().write(("GET /app/" + TestServers.APP_KEY + "?protocol=7 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" + KEY_HEADER
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            new java.io.DataInputStream(socket.getInputStream()).readFully(head);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
        }
    }
}
