package io.herald.config;

import java.nio.file.Path;

/**
 * An operator mistake in the configuration: the message names the key (as typed in the file) or the
 * environment variable, what was expected and what was found. It carries no stack trace: print
 * {@link #getMessage()} and exit.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }

    /** {@code key: expected <expected>, got <found>}. */
    public static ConfigException expected(String key, String expected, String found) {
        return new ConfigException(key + ": expected " + expected + ", got " + found);
    }

    /** The same message, followed by the file the offending value came from (when known). */
    public ConfigException in(Path file) {
        return file == null ? this : new ConfigException(getMessage() + " (in " + file + ")");
    }
}
