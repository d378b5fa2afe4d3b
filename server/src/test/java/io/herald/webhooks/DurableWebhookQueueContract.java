package io.herald.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.webhooks.WebhookQueue.Leased;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the durable drivers promise beyond {@link WebhookQueueContract}: a job whose node stops
 * renewing its lease goes to another node, and never while it is renewed.
 */
abstract class DurableWebhookQueueContract extends WebhookQueueContract {
    @Override
    boolean durable() {
        return true;
    }

    @Test
    void aLeaseThatIsNotRenewedEndsAndAnotherNodeTakesTheJob() throws Exception {
        queue.add(job("orphan"));
        Leased held = takeUntil(queue, 1, Duration.ofSeconds(5)).get(0);
        WebhookQueue other = open("node-2", 1000);
        assertThat(takeUntil(other, 1, Duration.ofMillis(LEASE_MILLIS / 2))).as("taken while the lease holds").isEmpty();
        List<Leased> claimed = takeUntil(other, 1, Duration.ofMillis(LEASE_MILLIS * 4));
        assertThat(claimed).extracting(Leased::job).containsExactly(held.job());
        other.done(claimed.get(0));
    }

    @Test
    void aRenewedLeaseKeepsTheJobFromOtherNodes() throws Exception {
        queue.add(job("kept"));
        Leased held = takeUntil(queue, 1, Duration.ofSeconds(5)).get(0);
        WebhookQueue other = open("node-2", 1000);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS * 3);
        while (System.nanoTime() < until) {
            queue.renew(List.of(held));
            assertThat(other.take(URL, 10).get(10, TimeUnit.SECONDS)).as("taken although renewed").isEmpty();
            Thread.sleep(LEASE_MILLIS / 4);
        }
        queue.done(held);
    }
}
