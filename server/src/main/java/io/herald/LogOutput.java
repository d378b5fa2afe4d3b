package io.herald;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * How log lines look. logback.xml writes text lines to stdout through its {@code STDOUT} appender;
 * {@code logging.format: json} (or {@code LOG_FORMAT=json}) replaces that appender's encoder with
 * Logback's {@link JsonEncoder}: one JSON object per line, for log collectors. Applied by
 * {@link Main} before the configuration is loaded, so every line of the run has one format.
 */
final class LogOutput {

    /** The appender of logback.xml whose format this switches; any other configuration is left alone. */
    static final String APPENDER = "STDOUT";

    private LogOutput() {}

    /** {@code format} is one of {@link io.herald.config.ConfigLoader#LOG_FORMATS}. */
    static void use(String format) {
        if (!format.equals("json")
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> text = root.getAppender(APPENDER);
        if (!(text instanceof ConsoleAppender<ILoggingEvent> console)) {
            return; // an operator's own logback configuration (-Dlogback.configurationFile) decides
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // {"timestamp":ms,"level":..,"threadName":..,"loggerName":..,"formattedMessage":..} plus
        // "kvpList", "markers" and "throwable" when an event has them ("throwable":null otherwise).
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMDC(false); // Herald puts nothing there
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();

        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName(APPENDER);
        json.setTarget(console.getTarget());
        json.setEncoder(encoder);
        json.start();
        root.addAppender(json);
        root.detachAppender(text);
        text.stop();
    }
}
