package io.herald.webhooks;

class MemoryWebhookQueueTest extends WebhookQueueContract {
    @Override
    WebhookQueue open(String consumer, int maxJobs) {
        return opened(new MemoryWebhookQueue(maxJobs));
    }

    @Override
    boolean durable() {
        return false;
    }
}
