package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pusher.rest.data.Result;
import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.raw.RawClient;
import io.herald.testing.TcpProxy;
import io.herald.testing.TestServers;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node answers an HTTP publish only once the cluster's bus has the event: Redis answered the
 * PUBLISH, or NATS answered a PING sent after it. Until then a crash of the node could lose the
 * event for the other nodes' subscribers, so a 200 must not come first (the chaos bench lost one
 * publish this way when a NATS node was SIGKILLed right after answering it). The publishing node
 * reaches its backend through a relay the test holds; the other node's subscriber gets the event
 * once it is released.
 */
class PublishAcknowledgementTest {
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    @Test
    void redisNodeAnswersAPublishOnlyOnceRedisHasIt() throws Exception {
        String prefix = "herald_ack_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        publishWaitsForTheBus(URI.create(TestServers.redisUrl()).getPort(),
                url -> new HeraldConfig.AdapterConfig.Redis(url, url, prefix, 5000), "redis://127.0.0.1:", TestServers.redisUrl());
    }

    @Test
    void natsNodeAnswersAPublishOnlyOnceNatsHasIt() throws Exception {
        String prefix = "herald_ack_" + UUID.randomUUID().toString().substring(0, 8) + ".";
        publishWaitsForTheBus(URI.create(TestServers.natsUrl()).getPort(),
                url -> new HeraldConfig.AdapterConfig.Nats(List.of(url), prefix, 5000, 5000, null, null, null),
                "nats://127.0.0.1:", TestServers.natsUrl());
    }

    private void publishWaitsForTheBus(int backendPort, Function<String, HeraldConfig.AdapterConfig> adapter, String scheme,
                                       String directUrl) throws Exception {
        TcpProxy relay = closeLater(TcpProxy.to(backendPort));
        String id = UUID.randomUUID().toString().substring(0, 8);
        Herald publishing = closeLater(TestServers.start(TestServers.withAdapter(TestServers.config(),
                adapter.apply(scheme + relay.port()), "ack-a-" + id)));
        Herald other = closeLater(TestServers.start(TestServers.withAdapter(TestServers.config(),
                adapter.apply(directUrl), "ack-b-" + id)));
        RawClient subscriber = closeLater(RawClient.connectEstablished(other.port(), TestServers.APP_KEY));
        subscriber.subscribe("acked");
        subscriber.expectSubscribed("acked");
        com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
        rest.setHost("127.0.0.1:" + publishing.port());

        assertThat(rest.trigger("acked", "before", Map.of()).getHttpStatus()).isEqualTo(200);
        assertThat(subscriber.skipUntil("before").path("channel").asText()).as("the bus works before it is held").isEqualTo("acked");

        relay.freeze();
        CompletableFuture<Result> answer = CompletableFuture.supplyAsync(() -> rest.trigger("acked", "held", Map.of("n", 1)));
        assertThatThrownBy(() -> answer.get(700, TimeUnit.MILLISECONDS))
                .as("no answer while the bus has not taken the event").isInstanceOf(TimeoutException.class);
        relay.thaw();
        assertThat(answer.get(20, TimeUnit.SECONDS).getHttpStatus()).isEqualTo(200);
        assertThat(subscriber.skipUntil("held").path("channel").asText()).isEqualTo("acked");
    }
}
