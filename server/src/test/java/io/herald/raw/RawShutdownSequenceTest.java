package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Herald;
import io.herald.testing.TestServers;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Shutdown in the order a load balancer needs: {@code /up} answers 503 on a listener that is still
 * open, while the clients already connected stay and are served for the grace period; only then
 * the listener closes and they get 4200.
 */
class RawShutdownSequenceTest {
    private static final String KEY = TestServers.APP_KEY;

    @Test
    void upAnswers503WhileConnectedClientsAreStillServedThenTheyGet4200() throws Exception {
        Herald herald = TestServers.start(TestServers.config(TestServers.defaultApp()).toBuilder()
                .shutdownGracePeriodSeconds(3).build());
        try (RawClient client = RawClient.connectEstablished(herald.port(), KEY)) {
            client.subscribeOk("before-shutdown");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(herald::close);

            // The listener is still open and tells health checks the node is going.
            String body = TestServers.awaitUp(herald, 503);
            assertThat(body).containsIgnoringCase("drain");
            assertThat(RawClient.upgradeStatus(RawClient.appUri(herald.port(), KEY))).as("a new connection").isEqualTo(503);
            // The connected client is still served.
            assertThat(closing).isNotDone();
            client.send("{\"event\":\"pusher:ping\"}");
            client.expect("pusher:pong");
            assertThat(closing).isNotDone();

            // After the grace period: 4200, and the listener is gone.
            assertThat(client.awaitClose().code()).isEqualTo(4200);
            closing.join();
            assertThatThrownBy(() -> RawClient.upgradeStatus(RawClient.appUri(herald.port(), KEY)))
                    .as("nothing listens after the stop").isInstanceOf(IllegalStateException.class);
        } finally {
            herald.close();
        }
    }

    @Test
    void theGracePeriodEndsWhenTheLastClientLeaves() throws Exception {
        Herald herald = TestServers.start(TestServers.config(TestServers.defaultApp()).toBuilder()
                .shutdownGracePeriodSeconds(3600).build());
        try {
            CompletableFuture<Void> closing;
            try (RawClient client = RawClient.connectEstablished(herald.port(), KEY)) {
                closing = CompletableFuture.runAsync(herald::close);
                TestServers.awaitUp(herald, 503);
                assertThat(closing).isNotDone();
            }
            closing.join(); // the client left: no hour-long wait
        } finally {
            herald.close();
        }
    }
}
