package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.redis.LettuceClients;
import io.herald.testing.Poll;
import io.herald.testing.PrivateRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 11: while the adapter's Redis is away, publishes are refused (a single Redis) or
 * fail after a short timeout (a Redis Cluster) instead of waiting in the heap, and none of them is
 * sent once Redis is back: the subscriber gets what was published after the outage, not before.
 * Each test has a redis-server of its own, stopped and started again.
 */
class RedisTransportOutageTest {
    private static final LettuceClients LETTUCE = LettuceClients.withOwnThreads();
    private static final List<String> SUBJECTS = List.of("outage:broadcast");

    @AfterAll
    static void closeClients() {
        LETTUCE.close();
    }

    /** A transport and what it received; counts its re-subscriptions. */
    private static final class Listener implements ClusterTransport.Receiver {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CountDownLatch resubscribed = new CountDownLatch(1);

        @Override
        public void message(String subject, byte[] bytes) {
            received.add(new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public void resubscribed() {
            resubscribed.countDown();
        }
    }

    @Test
    void aSingleRedisRefusesPublishesWhileAwayAndSendsNoneLater() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start()) {
            outage(redis, url -> RedisTransport.standalone(LETTUCE, url, url));
        }
    }

    @Test
    void aRedisClusterTimesPublishesOutWhileAwayAndSendsNoneLater() throws Exception {
        try (PrivateRedis redis = PrivateRedis.startCluster()) {
            outage(redis, url -> RedisTransport.cluster(LETTUCE, List.of(url)));
        }
    }

    private static void outage(PrivateRedis redis, Function<String, RedisTransport> connect) throws Exception {
        RedisTransport publisher = connect.apply(redis.url());
        RedisTransport subscriber = connect.apply(redis.url());
        try {
            Listener listener = new Listener();
            subscriber.start(SUBJECTS, listener);
            publisher.start(List.of("outage:publisher"), new Listener());
            assertThat(published(publisher, "before")).isTrue();
            assertThat(listener.received.poll(20, TimeUnit.SECONDS)).isEqualTo("before");

            redis.down();
            Poll.until("the publisher saw Redis go", Duration.ofSeconds(20), Duration.ofMillis(10),
                    () -> !publisher.isConnected(), () -> "still connected");
            List<CompletableFuture<Boolean>> during = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                during.add(publisher.publish(SUBJECTS.get(0), ("during " + i).getBytes(StandardCharsets.UTF_8)).toCompletableFuture());
            }
            for (CompletableFuture<Boolean> publish : during) {
                assertThat(publish.get(20, TimeUnit.SECONDS)).as("a publish while Redis is away").isFalse();
            }

            redis.up();
            assertThat(listener.resubscribed.await(30, TimeUnit.SECONDS)).as("the subscriber listens again").isTrue();
            Poll.until("the publisher is connected again", Duration.ofSeconds(30), Duration.ofMillis(10),
                    publisher::isConnected, () -> "not yet");
            Poll.until("a publish is taken again", Duration.ofSeconds(30), Duration.ofMillis(50),
                    () -> published(publisher, "after"), () -> "refused");
            assertThat(listener.received.poll(20, TimeUnit.SECONDS)).as("the first message after the outage").isEqualTo("after");
        } finally {
            publisher.close();
            subscriber.close();
        }
    }

    private static boolean published(RedisTransport publisher, String text) throws Exception {
        return publisher.publish(SUBJECTS.get(0), text.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
