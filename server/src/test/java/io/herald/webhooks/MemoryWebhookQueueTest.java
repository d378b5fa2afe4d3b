package io.herald.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MemoryWebhookQueueTest extends WebhookQueueContract {
    @Override
    WebhookQueue open(String consumer, int maxJobs) {
        return opened(new MemoryWebhookQueue(maxJobs, Webhooks.MEMORY_QUEUE_BYTES));
    }

    @Override
    boolean durable() {
        return false;
    }

    /** Big events (a client event's data can be 100 KB) reach the byte bound long before the count. */
    @Test
    void theBoundInBytesRefusesWhatWouldFillTheHeap() {
        MemoryWebhookQueue small = (MemoryWebhookQueue) opened(new MemoryWebhookQueue(1000, 1_000_000));
        String bigEvent = "{\"name\":\"client_event\",\"data\":\"" + "x".repeat(100_000) + "\"}";
        int accepted = 0;
        for (int i = 0; i < 20; i++) {
            if (small.add(new WebhookJob(UUID.randomUUID().toString(), "app", URL, Map.of(), List.of(bigEvent),
                    System.currentTimeMillis(), 0))) {
                accepted++;
            }
        }
        assertThat(accepted).as("100 KB jobs within 1 MB").isEqualTo(9);
        assertThat(small.add(job("small"))).as("a small one still fits").isTrue();
    }
}
