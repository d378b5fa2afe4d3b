package io.herald.webhooks;

import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.webhooks.WebhookQueue.Leased;
import io.herald.wire.Signatures;
import io.herald.wire.Secrets;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes due jobs from the queue and POSTs them, off the event loops.
 *
 * <p>At most {@code concurrency} requests are in flight on this node, and at most all but one of
 * them to one endpoint, so a dead or slow endpoint cannot hold every slot. Each endpoint's jobs are
 * read from its own line in the queue, only as many as it can send soon, so no endpoint's jobs
 * wait behind another's. A job that fails with a 5xx, 408, 429, a timeout or a connection error
 * goes back into the queue to be tried again after 1 s, then 2, 4 ... up to 60 s between tries,
 * until {@code retryWindowMillis} after it was created; then it is dropped and logged. An endpoint
 * that failed is left alone for that long: its line is not read (its jobs wait in the queue, not
 * in this heap) until it is due again. Any other 4xx is final: the job is dropped and the endpoint
 * logged at most once a minute.
 *
 * <p>Every field is touched only on {@code thread}.
 */
final class WebhookSender {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long TICK_MILLIS = 250;
    private static final String USER_AGENT = "Herald webhooks";

    /** How this node sends. */
    record Settings(int concurrency, int timeoutMillis, long retryWindowMillis, long leaseMillis) {
        int perEndpoint() {
            return Math.max(1, concurrency - 1);
        }

        /** Jobs one endpoint may hold, in flight and read ahead: its slots, twice over. */
        int heldPerEndpoint() {
            return perEndpoint() * 2;
        }
    }

    /** One webhook URL as this node sees it. */
    private static final class Endpoint {
        final String url;
        int inFlight;
        boolean taking;
        final ArrayDeque<Leased> waiting = new ArrayDeque<>();
        int consecutiveFailures;
        long idleUntilNanos;
        long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;
        int unloggedFailures;

        Endpoint(String url) {
            this.url = url;
        }
    }

    private final WebhookQueue queue;
    private final AppManager apps;
    private final Settings settings;
    private final WebhookStats stats;
    private final EventLoop thread;
    private final WebhookHttpClient http;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    /** Every job this node holds (each Leased is its own object), with when its lease last started. */
    private final Map<Leased, Long> held = new IdentityHashMap<>();
    private int inFlight;
    private boolean closing;
    /** Completes once closing and nothing is in flight. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private long lastTakeErrorLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

    WebhookSender(WebhookQueue queue, AppManager apps, Settings settings, WebhookStats stats, EventLoop thread,
                  Class<? extends Channel> socketChannel) {
        this.queue = queue;
        this.apps = apps;
        this.settings = settings;
        this.stats = stats;
        this.thread = thread;
        this.http = new WebhookHttpClient(thread, socketChannel, settings.timeoutMillis());
    }

    void start() {
        queue.onJobsAdded(url -> thread.execute(() -> pump(endpoints.computeIfAbsent(url, Endpoint::new))));
        thread.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        thread.execute(this::tick);
    }

    /** Reads the endpoints the queue says may have due jobs (other nodes' jobs, retries come due), and renews leases. */
    private void tick() {
        for (String url : queue.endpoints()) {
            pump(endpoints.computeIfAbsent(url, Endpoint::new));
        }
        renewLeases();
    }

    /** Reads the endpoint's due jobs while it has room for them: not while it rests after failures. */
    private void pump(Endpoint endpoint) {
        int room = settings.heldPerEndpoint() - endpoint.inFlight - endpoint.waiting.size();
        if (closing || endpoint.taking || room <= 0 || endpoint.idleUntilNanos - System.nanoTime() > 0) {
            return;
        }
        endpoint.taking = true;
        queue.take(endpoint.url, room).whenComplete((jobs, error) -> thread.execute(() -> {
            endpoint.taking = false;
            if (error != null) {
                long now = System.nanoTime();
                if (now - lastTakeErrorLogNanos >= LOG_EVERY_NANOS) {
                    lastTakeErrorLogNanos = now;
                    log.warn("webhooks: cannot read jobs from the queue ({}): {}", queue.describe(), error.toString());
                }
                return; // the next tick tries again
            }
            for (Leased leased : jobs) {
                if (closing) {
                    queue.retry(leased, leased.job(), 0);
                } else {
                    held.put(leased, System.nanoTime());
                    endpoint.waiting.add(leased);
                }
            }
            sendWaiting();
            if (jobs.size() == room) {
                pump(endpoint); // there may be more
            }
        }));
    }

    /** Starts waiting jobs while there are free slots, one endpoint after another. */
    private void sendWaiting() {
        boolean started = true;
        while (started && inFlight < settings.concurrency()) {
            started = false;
            for (Endpoint endpoint : endpoints.values()) {
                if (!endpoint.waiting.isEmpty() && endpoint.inFlight < settings.perEndpoint()
                        && inFlight < settings.concurrency()) {
                    send(endpoint, endpoint.waiting.poll());
                    started = true;
                }
            }
        }
    }

    private void send(Endpoint endpoint, Leased leased) {
        endpoint.inFlight++;
        inFlight++;
        WebhookJob job = leased.job();
        apps.findById(job.appId()).whenComplete((app, error) -> thread.execute(() -> {
            if (error != null || app.isEmpty()) {
                finished(endpoint, leased);
                giveUp(leased, error != null ? "its app " + job.appId() + " could not be looked up: " + error
                        : "its app " + job.appId() + " no longer exists");
                return;
            }
            String body = job.body();
            Map<String, String> headers = new LinkedHashMap<>(job.headers());
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", USER_AGENT);
            headers.put("X-Pusher-Key", app.get().key());
            headers.put("X-Pusher-Signature", Signatures.hmacSha256Hex(app.get().secret(), body));
            CompletableFuture<WebhookHttpClient.Answer> answer;
            try {
                answer = http.post(job.url(), headers, body);
            } catch (IllegalArgumentException e) {
                finished(endpoint, leased);
                refused(endpoint, leased, "the request cannot be made: " + e.getMessage());
                return;
            }
            answer.whenComplete((response, failure) -> answered(endpoint, leased, response, failure));
        }));
    }

    private void answered(Endpoint endpoint, Leased leased, WebhookHttpClient.Answer response, Throwable failure) {
        finished(endpoint, leased);
        int status = response == null ? 0 : response.status();
        if (failure == null && status >= 200 && status < 300) {
            queue.done(leased);
            stats.sent(leased.job().createdMillis());
            endpoint.consecutiveFailures = 0;
            endpoint.idleUntilNanos = 0;
        } else if (failure != null || status == 408 || status == 429 || status >= 500 || status < 400) {
            String why = failure != null ? describe(failure) : "HTTP " + status;
            retryLater(endpoint, leased, why, retryAfterMillis(response));
        } else {
            refused(endpoint, leased, "HTTP " + status);
        }
        sendWaiting();
        pump(endpoint);
    }

    private void finished(Endpoint endpoint, Leased leased) {
        endpoint.inFlight--;
        inFlight--;
        held.remove(leased);
        if (closing && inFlight == 0) {
            drained.complete(null);
        }
    }

    /** A failure worth another try: back into the queue after the backoff, unless the window is over. */
    private void retryLater(Endpoint endpoint, Leased leased, String why, long retryAfterMillis) {
        WebhookJob next = leased.job().failedOnce();
        long delay = Math.max(backoffMillis(next.attempts()), retryAfterMillis);
        endpoint.consecutiveFailures++;
        endpoint.idleUntilNanos = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(Math.max(backoffMillis(endpoint.consecutiveFailures), retryAfterMillis));
        // Its waiting jobs wait in the queue instead (not tried, so not counted), until the endpoint is due again.
        while (!endpoint.waiting.isEmpty()) {
            Leased waiting = endpoint.waiting.poll();
            putBack(waiting, waiting.job(), TimeUnit.NANOSECONDS.toMillis(endpoint.idleUntilNanos - System.nanoTime()));
        }
        if (System.currentTimeMillis() + delay - next.createdMillis() > settings.retryWindowMillis()) {
            giveUp(leased, "it still failed (" + why + ") after " + next.attempts() + " tries in "
                    + settings.retryWindowMillis() / 1000 + " s");
            return;
        }
        queue.retry(leased, next, delay);
        endpoint.unloggedFailures++;
        long now = System.nanoTime();
        if (now - endpoint.lastLogNanos >= LOG_EVERY_NANOS) {
            log.warn("webhook {} failed ({}); {} failure(s) since the last warning, retrying with backoff (next try of"
                    + " app {}'s job in {} ms)", Secrets.mask(endpoint.url), why, endpoint.unloggedFailures, next.appId(), delay);
            endpoint.lastLogNanos = now;
            endpoint.unloggedFailures = 0;
        }
        // Every counter here moves after its log line: whoever sees a count (a test, a scrape) finds the line.
        stats.retried.incrementAndGet();
    }

    /** A final answer from the endpoint: the job is dropped; the endpoint is logged at most once a minute. */
    private void refused(Endpoint endpoint, Leased leased, String why) {
        queue.done(leased);
        endpoint.unloggedFailures++;
        long now = System.nanoTime();
        if (now - endpoint.lastLogNanos >= LOG_EVERY_NANOS) {
            log.warn("webhook {} refused app {}'s job ({}); not retried. {} job(s) refused or failed since the last warning",
                    Secrets.mask(endpoint.url), leased.job().appId(), why, endpoint.unloggedFailures);
            endpoint.lastLogNanos = now;
            endpoint.unloggedFailures = 0;
        }
        stats.failed.incrementAndGet();
    }

    private void giveUp(Leased leased, String why) {
        queue.done(leased);
        log.warn("webhook job {} of app {} to {} dropped: {} ({} event(s): {})", leased.job().id(), leased.job().appId(),
                Secrets.mask(leased.job().url()), why, leased.job().events().size(), summary(leased.job()));
        stats.dropped.incrementAndGet();
    }

    /** Not tried: back into the queue, as it was. */
    private void putBack(Leased leased, WebhookJob job, long delayMillis) {
        held.remove(leased);
        queue.retry(leased, job, delayMillis);
    }

    /** 1 s after the first failure, doubling up to 60 s. */
    static long backoffMillis(int failures) {
        return Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(16, Math.max(0, failures - 1)));
    }

    /** A 429's Retry-After in milliseconds (seconds form), at most the longest backoff; 0 when absent. */
    private static long retryAfterMillis(WebhookHttpClient.Answer response) {
        if (response == null || response.status() != 429 || response.retryAfter() == null) {
            return 0;
        }
        try {
            return Math.min(MAX_BACKOFF_MILLIS, Math.max(0, Long.parseLong(response.retryAfter().trim()) * 1000));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private static String summary(WebhookJob job) {
        String events = String.join(",", job.events());
        return events.length() <= 200 ? events : events.substring(0, 200) + "...";
    }

    /** Jobs held for a third of the lease get a new one, so no other node takes them while we work. */
    private void renewLeases() {
        long now = System.nanoTime();
        long renewAfter = TimeUnit.MILLISECONDS.toNanos(settings.leaseMillis() / 3);
        List<Leased> due = new ArrayList<>();
        held.forEach((leased, since) -> {
            if (now - since >= renewAfter) {
                due.add(leased);
            }
        });
        if (!due.isEmpty()) {
            due.forEach(leased -> held.put(leased, now));
            queue.renew(due);
        }
    }

    /**
     * Stops taking jobs; waits up to {@code drainMillis} for the requests in flight; jobs not
     * started go back into the queue for another node (or the next start). Runs off {@code thread}.
     * Returns the number of requests still in flight.
     */
    int close(long drainMillis) throws InterruptedException {
        thread.execute(() -> {
            closing = true;
            for (Endpoint endpoint : endpoints.values()) {
                while (!endpoint.waiting.isEmpty()) {
                    Leased waiting = endpoint.waiting.poll();
                    putBack(waiting, waiting.job(), 0);
                }
            }
            if (inFlight == 0) {
                drained.complete(null);
            }
        });
        try {
            drained.get(drainMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // reported below
        }
        int left;
        try {
            left = thread.submit(() -> inFlight).get();
        } catch (ExecutionException e) {
            left = -1;
        }
        thread.execute(http::close);
        return left;
    }
}
