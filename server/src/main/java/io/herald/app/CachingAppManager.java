package io.herald.app;

import io.herald.logs.EveryMinute;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apps read from a slow source (a database), kept in process with Caffeine.
 *
 * <ul>
 *   <li>An app found is used for {@code ttl}, then read again: a change in the source takes effect
 *       within the TTL. Found by key, it is also kept by id, and the other way round.</li>
 *   <li>An id or key the source does not know is remembered as unknown for {@link #UNKNOWN_TTL}
 *       (at most the TTL), so a flood of one bad key costs one query per few seconds.</li>
 *   <li>Lookups of one id or key while its query runs share that query.</li>
 *   <li>When the source fails (database down) or takes longer than {@link #STALE_AFTER}, an app
 *       found before is served as it was last read, and the source is asked again after
 *       {@link #RETRY_WHILE_FAILING}; an app never found fails the lookup. A client of a known app
 *       never waits long for a database that does not answer.</li>
 * </ul>
 * At most {@link #MAX_ENTRIES} answers are kept (Caffeine's admission policy keeps the frequently
 * used ones when a flood of distinct keys arrives).
 */
public final class CachingAppManager implements AppManager {
    private static final Logger log = LoggerFactory.getLogger(CachingAppManager.class);
    static final Duration UNKNOWN_TTL = Duration.ofSeconds(5);
    static final Duration RETRY_WHILE_FAILING = Duration.ofSeconds(2);
    /** An app read before is served as it was if the source takes longer than this to read it again. */
    static final Duration STALE_AFTER = Duration.ofMillis(500);
    private static final int MAX_ENTRIES = 50_000;

    /** What is looked up: an app by id (HTTP API) or by key (WebSocket). */
    private record Lookup(boolean byKey, String value) {}

    /** An answer, and whether it came from the source just now or from memory while the source failed. */
    private record Answer(Optional<App> app, boolean stale) {}

    private final AppManager source;
    private final long foundTtlNanos;
    private final long unknownTtlNanos;
    private final AsyncLoadingCache<Lookup, Answer> answers;
    /** The last app read for each lookup, served while the source fails; bounded like the answers. */
    private final Cache<Lookup, App> lastRead = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
    private final EveryMinute warnings = new EveryMinute();

    /** {@code ttl} zero: every lookup reads the source (concurrent ones still share a query). */
    public CachingAppManager(AppManager source, Duration ttl) {
        this.source = source;
        this.foundTtlNanos = ttl.toNanos();
        this.unknownTtlNanos = Math.min(ttl.isZero() ? UNKNOWN_TTL.toNanos() : ttl.toNanos(), UNKNOWN_TTL.toNanos());
        this.answers = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfter(new Expiry<Lookup, Answer>() {
                    @Override
                    public long expireAfterCreate(Lookup lookup, Answer answer, long now) {
                        return answer.stale() ? RETRY_WHILE_FAILING.toNanos()
                                : answer.app().isPresent() ? foundTtlNanos : unknownTtlNanos;
                    }

                    @Override
                    public long expireAfterUpdate(Lookup lookup, Answer answer, long now, long currentDuration) {
                        return expireAfterCreate(lookup, answer, now);
                    }

                    @Override
                    public long expireAfterRead(Lookup lookup, Answer answer, long now, long currentDuration) {
                        return currentDuration;
                    }
                })
                .buildAsync((lookup, executor) -> read(lookup));
    }

    private CompletableFuture<Answer> read(Lookup lookup) {
        CompletableFuture<Optional<App>> found;
        try {
            found = lookup.byKey() ? source.findByKey(lookup.value()) : source.findById(lookup.value());
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        App known = lastRead.getIfPresent(lookup);
        CompletableFuture<Answer> answer = found.handle((app, error) -> {
            if (error == null) {
                app.ifPresent(this::remember);
                if (app.isEmpty()) {
                    lastRead.invalidate(lookup);
                }
                return new Answer(app, false);
            }
            warn(lookup, error, known != null);
            if (known == null) {
                throw error instanceof CompletionException completion ? completion : new CompletionException(error);
            }
            return new Answer(Optional.of(known), true);
        });
        return known == null ? answer
                : answer.completeOnTimeout(new Answer(Optional.of(known), true), STALE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Keeps a fresh app under its other lookup too, so that an app looked up by key is known by id. */
    private void remember(App app) {
        Lookup byId = new Lookup(false, app.id());
        Lookup byKey = new Lookup(true, app.key());
        lastRead.put(byId, app);
        lastRead.put(byKey, app);
        Answer answer = new Answer(Optional.of(app), false);
        for (Lookup other : new Lookup[] {byId, byKey}) {
            CompletableFuture<Answer> current = answers.getIfPresent(other);
            if (current == null || current.isDone()) {
                answers.put(other, CompletableFuture.completedFuture(answer));
            }
        }
    }

    private void warn(Lookup lookup, Throwable error, boolean servedFromMemory) {
        if (warnings.due(this) >= 0) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            log.warn("apps: {} failed ({}); {} (logged at most once a minute)", source.describe(), cause.getMessage(),
                    servedFromMemory ? "serving the apps read before from memory"
                            : "an app never read before cannot be served, e.g. " + (lookup.byKey() ? "key " : "id ") + lookup.value());
        }
    }

    @Override
    public CompletableFuture<Optional<App>> findByKey(String key) {
        return answers.get(new Lookup(true, key)).thenApply(Answer::app);
    }

    @Override
    public CompletableFuture<Optional<App>> findById(String id) {
        return answers.get(new Lookup(false, id)).thenApply(Answer::app);
    }

    /** The last app read for {@code id}; when there is none yet, a lookup starts so that the next call finds it. */
    @Override
    public Optional<App> lastKnown(String id) {
        App app = lastRead.getIfPresent(new Lookup(false, id));
        if (app == null) {
            findById(id);
        }
        return Optional.ofNullable(app);
    }

    @Override
    public boolean isHealthy() {
        return source.isHealthy();
    }

    @Override
    public boolean probe(Duration timeout) {
        return source.probe(timeout);
    }

    @Override
    public String describe() {
        return source.describe() + (foundTtlNanos == 0 ? ", read on every lookup"
                : ", apps kept " + TimeUnit.NANOSECONDS.toSeconds(foundTtlNanos) + " s");
    }

    @Override
    public void close() {
        source.close();
    }
}
