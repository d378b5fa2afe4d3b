package io.herald.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * What some classes logged during one test. Test classes run in parallel and share Logback's
 * loggers, so {@link #onThisThread} keeps only what the test's own thread logged: a test that
 * asserts the absence of a warning must not see another class's warnings.
 */
public final class CapturedLogs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> loggers;
    private final Predicate<ILoggingEvent> keep;
    /** Loggers this capture lowered to DEBUG. */
    private final java.util.Set<Logger> lowered = new java.util.HashSet<>();

    /**
     * Per logger lowered to DEBUG: its level before the first capture lowered it, and how many
     * captures hold it there. Captures of parallel test classes overlap; the level goes back only
     * when the last one closes (restoring it at the first close hid the others' debug lines).
     */
    private record Lowered(Level before, int holders) {}

    private static final java.util.Map<Logger, Lowered> LOWERED = new java.util.HashMap<>();

    private CapturedLogs(Predicate<ILoggingEvent> keep, Class<?>... sources) {
        this(keep, java.util.Arrays.stream(sources).map(Class::getName).toArray(String[]::new));
    }

    private CapturedLogs(Predicate<ILoggingEvent> keep, String... loggerNames) {
        this.keep = keep;
        this.loggers = java.util.Arrays.stream(loggerNames).map(n -> (Logger) LoggerFactory.getLogger(n)).toList();
        appender.start();
        loggers.forEach(l -> l.addAppender(appender));
    }

    /** Everything these classes log, from any thread (for messages logged by the server's own threads). */
    public static CapturedLogs of(Class<?>... sources) {
        return new CapturedLogs(e -> true, sources);
    }

    /** Everything these loggers log, from any thread (for classes a test cannot name: package-private ones). */
    public static CapturedLogs ofLoggers(String... loggerNames) {
        return new CapturedLogs(e -> true, loggerNames);
    }

    /** What these classes log on the calling thread only. */
    public static CapturedLogs onThisThread(Class<?>... sources) {
        String thread = Thread.currentThread().getName();
        return new CapturedLogs(e -> e.getThreadName().equals(thread), sources);
    }

    /**
     * Lowers these loggers to DEBUG until {@link #close()} (what {@code debug: true} does for the
     * whole of Herald), so that their debug lines are captured.
     */
    public CapturedLogs atDebug() {
        synchronized (LOWERED) {
            for (Logger l : loggers) {
                if (lowered.add(l)) {
                    Lowered held = LOWERED.get(l);
                    LOWERED.put(l, held == null ? new Lowered(l.getLevel(), 1) : new Lowered(held.before(), held.holders() + 1));
                    l.setLevel(Level.DEBUG);
                }
            }
        }
        return this;
    }

    /** The formatted messages at WARN level. */
    public List<String> warnings() {
        return messages(Level.WARN);
    }

    /** The formatted messages at any level. */
    public List<String> all() {
        return messages(null);
    }

    /** The formatted messages that came with an exception (a stack trace in the log). */
    public List<String> withThrowable() {
        synchronized (appender) {
            return appender.list.stream().filter(keep).filter(e -> e.getThrowableProxy() != null)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /**
     * Each event as a stack trace would print it: the formatted message, then every exception of
     * its cause chain with its message (what a credential-leak check must search).
     */
    public List<String> withThrowableText() {
        synchronized (appender) {
            return appender.list.stream().filter(keep).map(e -> {
                StringBuilder text = new StringBuilder(e.getFormattedMessage());
                for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    text.append("\n").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                return text.toString();
            }).toList();
        }
    }

    private List<String> messages(Level level) {
        synchronized (appender) {
            return appender.list.stream().filter(keep).filter(e -> level == null || e.getLevel() == level)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        loggers.forEach(l -> l.detachAppender(appender));
        synchronized (LOWERED) {
            for (Logger l : lowered) {
                Lowered held = LOWERED.remove(l);
                if (held.holders() > 1) {
                    LOWERED.put(l, new Lowered(held.before(), held.holders() - 1));
                } else {
                    l.setLevel(held.before());
                }
            }
            lowered.clear();
        }
    }
}
