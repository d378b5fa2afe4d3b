package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterTransport} does, run against each driver: delivery to every listener
 * of a subject (the publisher included) and to no one else, one publisher's order on one subject,
 * any bytes up to the size the bus uses, and publishes that report whether the backend took them.
 * Subjects have a prefix of their own per run, so parallel test classes never hear each other.
 */
abstract class ClusterTransportContract {
    private static final long WAIT_SECONDS = 20;

    /** A started-on-demand transport of the driver under test, on the backend the test script runs. */
    abstract ClusterTransport newTransport(String name);

    private final String prefix = "herald_contract_" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final List<ClusterTransport> opened = new ArrayList<>();

    /** One transport and what it received. */
    private final class Listener implements ClusterTransport.Receiver {
        final ClusterTransport transport;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> bytes = new LinkedBlockingQueue<>();

        Listener(String name, String... subjects) {
            transport = newTransport(name);
            opened.add(transport);
            transport.start(Arrays.stream(subjects).map(s -> prefix + s).toList(), this);
        }

        @Override
        public void message(String subject, byte[] message) {
            received.add(subject.substring(prefix.length()) + " " + new String(message, java.nio.charset.StandardCharsets.ISO_8859_1));
            bytes.add(message);
        }

        @Override
        public void resubscribed() {}

        void publish(String subject, String text) throws Exception {
            publish(subject, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        void publish(String subject, byte[] message) throws Exception {
            assertThat(transport.publish(prefix + subject, message).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("%s took a publish to %s", transport.name(), subject).isTrue();
        }

        String next() throws InterruptedException {
            String next = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(next).as("a message within %d s", WAIT_SECONDS).isNotNull();
            return next;
        }

        byte[] nextBytes() throws InterruptedException {
            byte[] next = bytes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(next).as("a message within %d s", WAIT_SECONDS).isNotNull();
            received.poll();
            return next;
        }
    }

    @AfterEach
    void close() {
        opened.forEach(ClusterTransport::close);
    }

    @Test
    void everyListenerOfASubjectGetsEachMessageThePublisherIncluded() throws Exception {
        Listener one = new Listener("one", "shared", "node.one");
        Listener two = new Listener("two", "shared", "node.two");
        assertThat(one.transport.isConnected()).isTrue();
        one.publish("shared", "hello");
        assertThat(one.next()).isEqualTo("shared hello");
        assertThat(two.next()).isEqualTo("shared hello");
    }

    @Test
    void aSubjectNobodyElseListensToReachesOnlyItsListener() throws Exception {
        Listener one = new Listener("one", "shared", "node.one");
        Listener two = new Listener("two", "shared", "node.two");
        one.publish("node.two", "for two");
        assertThat(two.next()).isEqualTo("node.two for two");
        one.publish("shared", "marker");
        assertThat(one.next()).as("one never gets two's message, only the later marker").isEqualTo("shared marker");
    }

    /**
     * In order, and every message the backend took arrives. (Under heavy load a publish may time
     * out before it is written and be lost, as the contract allows; it then never arrives late.)
     */
    @Test
    void onePublishersMessagesToOneSubjectArriveInOrder() throws Exception {
        Listener one = new Listener("one", "node.one");
        Listener two = new Listener("two", "shared");
        List<java.util.concurrent.CompletableFuture<Boolean>> publishes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            publishes.add(one.transport.publish(prefix + "shared",
                    Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII)).toCompletableFuture());
        }
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < publishes.size(); i++) {
            if (publishes.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)) {
                taken.add("shared " + i);
            }
        }
        assertThat(taken).as("publishes the backend took").isNotEmpty();
        List<String> received = new ArrayList<>();
        while (!received.contains(taken.get(taken.size() - 1))) {
            received.add(two.next());
        }
        assertThat(received).as("in publish order, every one taken").containsSubsequence(taken);
        assertThat(received).isSortedAccordingTo(java.util.Comparator.comparingInt(line -> Integer.parseInt(line.substring(7))));
    }

    @Test
    void anyBytesUpToTheSizeTheBusUsesArriveIntact() throws Exception {
        Listener one = new Listener("one", "node.one");
        Listener two = new Listener("two", "shared");
        byte[] everyByte = new byte[256 * 3];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        one.publish("shared", everyByte);
        assertThat(two.nextBytes()).isEqualTo(everyByte);

        int largest = Math.min(MessageParts.MAX_PART_BYTES, one.transport.maxMessageBytes());
        assertThat(largest).as("the largest message the backend takes").isGreaterThanOrEqualTo(4096);
        byte[] big = new byte[largest];
        new java.util.Random(7).nextBytes(big);
        one.publish("shared", big);
        assertThat(two.nextBytes()).isEqualTo(big);
    }

    @Test
    void aClosedTransportRefusesPublishesWithoutThrowing() throws Exception {
        Listener one = new Listener("one", "node.one");
        one.transport.close();
        assertThat(one.transport.isConnected()).isFalse();
        assertThat(one.transport.publish(prefix + "shared", new byte[] {1}).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isFalse();
    }
}
