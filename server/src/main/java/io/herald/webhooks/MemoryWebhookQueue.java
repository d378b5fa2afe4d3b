package io.herald.webhooks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Jobs in this process ({@code queue.driver: memory}): bounded in number and in bytes (big client
 * events must not fill the heap), and lost when the process ends. Durable across restarts and
 * shared by every node is the redis driver.
 */
public final class MemoryWebhookQueue implements WebhookQueue {
    private record Delayed(long dueNanos, long sequence, WebhookJob job) {}

    /** One endpoint's jobs: due ones in order, later ones by due time. */
    private static final class Line {
        final ArrayDeque<WebhookJob> due = new ArrayDeque<>();
        final PriorityQueue<Delayed> later = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
                ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.sequence, b.sequence));

        boolean isEmpty() {
            return due.isEmpty() && later.isEmpty();
        }
    }

    private final int maxJobs;
    private final long maxBytes;
    private final Map<String, Line> lines = new HashMap<>();
    private long sequence;
    private int stored; // waiting and leased
    private long storedBytes;
    private volatile Consumer<String> wakeUp = url -> { };

    public MemoryWebhookQueue(int maxJobs, long maxBytes) {
        this.maxJobs = maxJobs;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean add(WebhookJob job) {
        synchronized (this) {
            if (stored >= maxJobs || storedBytes + job.sizeBytes() > maxBytes) {
                return false;
            }
            stored++;
            storedBytes += job.sizeBytes();
            lines.computeIfAbsent(job.url(), url -> new Line()).due.add(job);
        }
        wakeUp.accept(job.url());
        return true;
    }

    @Override
    public synchronized Set<String> endpoints() {
        return Set.copyOf(lines.keySet());
    }

    @Override
    public synchronized CompletableFuture<List<Leased>> take(String url, int max) {
        Line line = lines.get(url);
        if (line == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        long now = System.nanoTime();
        while (!line.later.isEmpty() && line.later.peek().dueNanos() - now <= 0) {
            line.due.add(line.later.poll().job());
        }
        List<Leased> taken = new ArrayList<>(Math.min(max, line.due.size()));
        while (taken.size() < max && !line.due.isEmpty()) {
            taken.add(new Leased(line.due.poll(), null));
        }
        if (line.isEmpty()) {
            lines.remove(url);
        }
        return CompletableFuture.completedFuture(taken);
    }

    @Override
    public synchronized void done(Leased job) {
        stored--;
        storedBytes -= job.job().sizeBytes();
    }

    @Override
    public synchronized void retry(Leased job, WebhookJob next, long delayMillis) {
        storedBytes += next.sizeBytes() - job.job().sizeBytes();
        lines.computeIfAbsent(next.url(), url -> new Line()).later
                .add(new Delayed(System.nanoTime() + delayMillis * 1_000_000, sequence++, next));
    }

    @Override
    public void onJobsAdded(Consumer<String> wakeUp) {
        this.wakeUp = wakeUp;
    }

    @Override
    public synchronized long heldInProcess() {
        return stored;
    }

    @Override
    public String describe() {
        return "memory (at most " + maxJobs + " jobs and " + (maxBytes >> 20) + " MiB, lost on restart)";
    }

    @Override
    public void close() {}
}
