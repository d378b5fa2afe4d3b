package io.herald.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.LoggerFactory;

/**
 * Initializes SLF4J before any test runs. Test classes run in parallel, and SLF4J hands out
 * substitute loggers to threads that ask while another thread is still initializing it.
 */
public final class InitLoggingFirst implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        LoggerFactory.getILoggerFactory();
    }
}
