package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.raw.ApiClient;
import io.herald.raw.RawHttp;
import io.herald.testing.NodeProcess;
import io.herald.testing.TestServers;
import io.netty.channel.uring.IoUring;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code "io_transport": "io_uring"}: two nodes on io_uring event loops, sharing Redis (whose
 * Lettuce connections run on those loops too), serve pusher clients and the HTTP API as one server.
 * Each node is a process of its own: Lettuce chooses its socket type once per JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IoUringTransportTest {
    private final String prefix = "herald_test_" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private NodeProcess nodeA;
    private NodeProcess nodeB;

    @BeforeAll
    void startNodes() throws Exception {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring cannot run on this machine: " + IoUring.unavailabilityCause());
        String url = TestServers.redisUrl();
        String fields = "\"io_transport\": \"io_uring\", \"adapter\": {\"driver\": \"redis\", \"redis\": {\"prefix\": \""
                + prefix + "\", \"redis_pub_options\": {\"url\": \"" + url + "\"}, \"redis_sub_options\": {\"url\": \"" + url + "\"}}}";
        nodeA = NodeProcess.start(NodeProcess.freePort(), fields, Map.of("INSTANCE_PROCESS_ID", "uring-a-" + prefix));
        nodeB = NodeProcess.start(NodeProcess.freePort(), fields, Map.of("INSTANCE_PROCESS_ID", "uring-b-" + prefix));
    }

    @AfterAll
    void stopNodes() throws Exception {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
    }

    @Test
    void nodesOnIoUringServeClientsAndShareEventsThroughRedis() throws Exception {
        assertThat(nodeA.output()).contains("(io_uring, adapter redis");
        try (WsClient onA = new WsClient("on-a", TestServers.APP_KEY, nodeA.port(), null).connect();
             WsClient onB = new WsClient("on-b", TestServers.APP_KEY, nodeB.port(), null).connect()) {
            onA.subscribe("uring-news");
            onB.subscribe("uring-news");
            com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
            rest.setHost("127.0.0.1:" + nodeB.port());
            assertThat(rest.trigger("uring-news", "headline", Map.of("text", "hello")).getHttpStatus()).isEqualTo(200);
            assertThat(onA.awaitEvent("uring-news", "headline").data()).contains("hello");
            assertThat(onB.awaitEvent("uring-news", "headline").data()).contains("hello");
        }
    }

    /**
     * One kept-alive connection, request after request: {@code /up} is answered at once, the
     * channel list once the other node replied to the cluster query (reads are held back while a
     * request is answered, and io_uring reads only when asked again). Then three pipelined.
     */
    @Test
    void aKeptAliveConnectionIsReadAgainAfterEachAnswer() throws Exception {
        ApiClient api = new ApiClient(nodeA.port(), TestServers.APP_KEY, TestServers.APP_SECRET);
        String up = "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        String channels = "/apps/" + TestServers.APP_ID + "/channels";
        try (RawHttp http = RawHttp.open(nodeA.port())) {
            for (int i = 0; i < 3; i++) {
                http.write(up);
                assertThat(http.read().body()).as("/up, request %d", 2 * i + 1).isEqualTo("OK");
                http.write(api.rawSignedGet(channels));
                assertThat(http.read().body()).as("the channel list, request %d", 2 * i + 2).contains("\"channels\"");
            }
            http.write(api.rawSignedGet(channels) + up + api.rawSignedGet(channels));
            assertThat(http.read().body()).contains("\"channels\"");
            assertThat(http.read().body()).isEqualTo("OK");
            assertThat(http.read().body()).contains("\"channels\"");
        }
    }
}
