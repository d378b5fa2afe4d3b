package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.testing.TestServers;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: silent sockets, never-ending headers and trickled bodies are cut after
 * {@code http_request_timeout}, kept-alive connections after {@code http_idle_timeout}; a
 * WebSocket, once upgraded, is not. Both are 1 s here so that nothing waits long.
 */
class RawHttpTimeoutsTest {
    private static final String EVENTS = "/apps/" + TestServers.APP_ID + "/events";

    private static Herald herald;
    private static int port;
    /** Sends a slow client's bytes: one piece at a time, until the server hangs up. */
    private static final ScheduledExecutorService TRICKLE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "slowloris");
        thread.setDaemon(true);
        return thread;
    });

    @BeforeAll
    static void start() {
        herald = TestServers.start(TestServers.config().toBuilder()
                .httpRequestTimeoutSeconds(1).httpIdleTimeoutSeconds(1).build());
        port = herald.port();
    }

    @AfterAll
    static void stop() {
        TRICKLE.shutdownNow();
        if (herald != null) {
            herald.close();
        }
    }

    /** Writes {@code piece} every 200 ms (well under the timeout) until writing fails. */
    private static ScheduledFuture<?> trickle(RawHttp http, String piece) {
        return TRICKLE.scheduleWithFixedDelay(() -> {
            try {
                http.write(piece);
            } catch (IOException closed) {
                throw new IllegalStateException("closed"); // ends the repetition
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
    }

    @Test
    void aSilentConnectionIsClosedWithoutAnAnswer() throws IOException {
        try (RawHttp http = RawHttp.open(port)) {
            assertThat(http.closedWithNothingMore()).as("closed, nothing written").isTrue();
        }
    }

    @Test
    void neverEndingHeadersGet408AndAreClosed() throws IOException {
        try (RawHttp http = RawHttp.open(port)) {
            http.write("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            ScheduledFuture<?> headers = trickle(http, "X-Slow: yes\r\n");
            try {
                RawHttp.Response answer = http.read();
                assertThat(answer.status()).isEqualTo(408);
                assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
                assertThat(answer.body()).contains("http_request_timeout");
                assertThat(http.closedWithNothingMore()).isTrue();
            } finally {
                headers.cancel(true);
            }
        }
    }

    @Test
    void aTrickledBodyGets408AndIsClosed() throws IOException {
        try (RawHttp http = RawHttp.open(port)) {
            http.write("POST " + EVENTS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000000\r\n\r\n{");
            ScheduledFuture<?> body = trickle(http, " ");
            try {
                assertThat(http.read().status()).isEqualTo(408);
                assertThat(http.closedWithNothingMore()).isTrue();
            } finally {
                body.cancel(true);
            }
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterItsAnswer() throws IOException {
        try (RawHttp http = RawHttp.open(port)) {
            http.write("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(http.read().body()).isEqualTo("OK");
            assertThat(http.closedWithNothingMore()).as("closed without a 408").isTrue();
        }
    }

    @Test
    void theNextRequestOnAKeptAliveConnectionHasTheRequestTimeoutFromItsFirstByte() throws IOException {
        try (RawHttp http = RawHttp.open(port)) {
            http.write("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(http.read().body()).isEqualTo("OK");
            http.write("GET /up HTTP/1.1\r\n");
            ScheduledFuture<?> headers = trickle(http, "X-Slow: yes\r\n");
            try {
                assertThat(http.read().status()).isEqualTo(408);
            } finally {
                headers.cancel(true);
            }
        }
    }

    @Test
    void aWebSocketOutlivesTheHttpTimeouts() throws IOException {
        try (RawClient client = RawClient.connectEstablished(port, TestServers.APP_KEY)) {
            // A request cut off after the WebSocket was opened: the HTTP timeout has passed since.
            try (RawHttp http = RawHttp.open(port)) {
                http.write("GET /up HTTP/1.1\r\n");
                ScheduledFuture<?> headers = trickle(http, "X-Slow: yes\r\n");
                try {
                    assertThat(http.read().status()).isEqualTo(408);
                } finally {
                    headers.cancel(true);
                }
            }
            assertThat(client.isClosed()).isFalse();
            client.subscribeOk("still-open");
        }
    }
}
