package io.herald.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.webhooks.WebhookQueue.Leased;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WebhookQueue} driver promises, run against each of them: a job added is taken
 * once, a job put back is not taken before it is due, each endpoint has its own line, a bound is a
 * bound. {@link DurableWebhookQueueContract} adds what the durable drivers promise.
 */
abstract class WebhookQueueContract {
    static final long LEASE_MILLIS = 1500;
    private final List<WebhookQueue> opened = new ArrayList<>();
    WebhookQueue queue;

    /** A queue of this driver; {@code consumer} names the node taking jobs (the same store for every call of a test). */
    abstract WebhookQueue open(String consumer, int maxJobs);

    /** Whether jobs outlive the node that holds them, so that other nodes see them. */
    abstract boolean durable();


    WebhookQueue opened(WebhookQueue queue) {
        opened.add(queue);
        return queue;
    }

    @BeforeEach
    void openQueue() {
        queue = open("node-1", 1000);
    }

    @AfterEach
    void closeQueues() {
        opened.forEach(WebhookQueue::close);
        closeDriver();
    }

    /** After every queue of the test is closed: what the driver's queues shared. */
    void closeDriver() {}

    static final String URL = "http://127.0.0.1:9/hook";

    static WebhookJob job(String marker) {
        return job(marker, URL);
    }

    static WebhookJob job(String marker, String url) {
        return new WebhookJob(UUID.randomUUID().toString(), "app", url, Map.of("X-A", "b"),
                List.of("{\"name\":\"cache_miss\",\"channel\":\"" + marker + "\"}"), System.currentTimeMillis(), 0);
    }

    /** Takes until {@code count} jobs came or {@code timeout} passed (writes may still be on their way). */
    static List<Leased> takeUntil(WebhookQueue queue, int count, Duration timeout) throws Exception {
        return takeUntil(queue, URL, count, timeout);
    }

    static List<Leased> takeUntil(WebhookQueue queue, String url, int count, Duration timeout) throws Exception {
        List<Leased> taken = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (taken.size() < count && System.nanoTime() < deadline) {
            taken.addAll(queue.take(url, count - taken.size()).get(10, TimeUnit.SECONDS));
            if (taken.size() < count) {
                Thread.sleep(20); // polling is the contract of take(); nothing to wait on
            }
        }
        return taken;
    }

    @Test
    void aJobAddedIsTakenOnceAndIsGoneWhenDone() throws Exception {
        WebhookJob job = job("once");
        assertThat(queue.add(job)).isTrue();
        List<Leased> taken = takeUntil(queue, 1, Duration.ofSeconds(5));
        assertThat(taken).extracting(Leased::job).containsExactly(job);
        queue.done(taken.get(0));
        assertThat(takeUntil(queue, 1, Duration.ofMillis(1200))).isEmpty();
    }

    @Test
    void aJobPutBackIsTakenAgainOnlyWhenDue() throws Exception {
        queue.add(job("later"));
        Leased first = takeUntil(queue, 1, Duration.ofSeconds(5)).get(0);
        WebhookJob next = first.job().failedOnce();
        long putBackAt = System.nanoTime();
        queue.retry(first, next, 1000);
        List<Leased> again = takeUntil(queue, 1, Duration.ofSeconds(5));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - putBackAt)).isGreaterThanOrEqualTo(950);
        assertThat(again).extracting(Leased::job).containsExactly(next);
        assertThat(again.get(0).job().attempts()).isEqualTo(1);
        queue.done(again.get(0));
    }

    /** One endpoint's backlog does not stand in front of another's jobs, and each line is listed. */
    @Test
    void eachEndpointHasItsOwnLine() throws Exception {
        String other = "http://127.0.0.1:9/other";
        for (int i = 0; i < 50; i++) {
            queue.add(job("backlog-" + i));
        }
        WebhookJob single = job("alone", other);
        queue.add(single);
        assertThat(takeUntil(queue, other, 1, Duration.ofSeconds(5))).extracting(Leased::job).containsExactly(single);
        assertThat(queue.endpoints()).contains(URL);
        if (!durable()) {
            return; // the memory driver's lines are its own process's
        }
        WebhookQueue second = open("node-2", 1000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!second.endpoints().contains(URL) && System.nanoTime() < deadline) {
            Thread.sleep(50); // another node learns of the lines in the background
        }
        assertThat(second.endpoints()).as("the lines another node sees").contains(URL);
    }

    @Test
    void theBoundRefusesJobsBeyondIt() throws Exception {
        WebhookQueue small = open("node-small", 2);
        int accepted = 0;
        for (int i = 0; i < 5; i++) {
            if (small.add(job("bounded-" + i))) {
                accepted++;
            }
        }
        // A durable driver accepts into its process first and refuses once the store says it is full.
        // Within half a lease, so that no job comes back because its lease ended.
        List<Leased> taken = takeUntil(small, 5, Duration.ofMillis(LEASE_MILLIS / 2));
        assertThat(taken.size()).as("jobs kept of 5 with a bound of 2 (accepted at once: %s)", accepted).isEqualTo(2);
        taken.forEach(small::done);
    }
}
