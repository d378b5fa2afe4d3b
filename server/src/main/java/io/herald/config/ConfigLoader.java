package io.herald.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the sealed {@link HeraldConfig} the way Sockudo does: built-in defaults, then
 * {@code config/config.json} (if present), then the {@code --config} file, then environment
 * variables (each set variable wins). Every key and variable is checked against what Herald knows
 * ({@link ConfigKeys}, {@link ConfigVariables}); operator mistakes end in a
 * {@link ConfigException} naming the key or variable. What start-up has to say about the
 * configuration is logged once it is known to be valid.
 */
public final class ConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    static final String DEFAULT_FILE = "config/config.json";

    /** Values of {@code logging.format}: logback.xml's text lines, or one JSON object per line. */
    public static final List<String> LOG_FORMATS = List.of("text", "json");

    private ConfigLoader() {}

    /**
     * @param explicitFileOrNull the {@code --config} file, or null
     * @param env the environment (usually {@code System.getenv()}); empty values count as unset
     * @param workingDir where {@code config/config.json} is looked for
     */
    public static HeraldConfig load(Path explicitFileOrNull, Map<String, String> env, Path workingDir) {
        StartupNotes notes = new StartupNotes();
        Loaded loaded;
        try {
            loaded = loadQuietly(explicitFileOrNull, env, workingDir, notes);
        } catch (ConfigException e) {
            notes.logUnknownKeys(LOG);
            throw e;
        }
        loaded.files().forEach(file -> LOG.info("Loaded configuration from {}", file));
        notes.logAll(LOG);
        return loaded.config();
    }

    /** A valid configuration, the files it came from, and what start-up has to say about it (not logged yet). */
    record Loaded(HeraldConfig config, List<Path> files, StartupNotes notes) {}

    /** {@link #load} without logging: what it would log is in {@code notes}, also when a ConfigException is thrown. */
    static Loaded loadQuietly(Path explicitFileOrNull, Map<String, String> env, Path workingDir, StartupNotes notes) {
        Map<String, String> vars = setVariables(env);
        ConfigTree tree = new ConfigTree(vars, notes);
        List<Path> files = files(explicitFileOrNull, workingDir);
        for (Path file : files) {
            tree.merge(ConfigFiles.read(file, vars), file);
        }
        KeyCheck.check(tree.root(), "", ConfigKeys.ROOT, ConfigKeys.ROOT, tree::sourceOf, notes);
        ConfigVariables.check(vars, notes);
        HeraldConfig config = read(tree, vars);
        Differences.note(tree, config);
        return new Loaded(config, files, notes);
    }

    private static HeraldConfig read(ConfigTree tree, Map<String, String> vars) {
        return new HeraldConfig(
                debug(tree),
                tree.string("host", "HOST", HeraldConfig.DEFAULT_HOST),
                tree.integer("port", "PORT", HeraldConfig.DEFAULT_PORT, 0, 65535),
                tree.integer("activity_timeout", "ACTIVITY_TIMEOUT", 120, 1, Integer.MAX_VALUE),
                tree.integer("pong_timeout", "PONG_TIMEOUT", 30, 1, Integer.MAX_VALUE),
                tree.integer("shutdown_grace_period", "SHUTDOWN_GRACE_PERIOD", 10, 0, Integer.MAX_VALUE),
                tree.integer("user_authentication_timeout", "USER_AUTHENTICATION_TIMEOUT", 3600, 1, Integer.MAX_VALUE),
                tree.integer("websocket_max_payload_kb", "WEBSOCKET_MAX_PAYLOAD_KB", 64, 1, 16384),
                EdgeSettings.httpMaxBodyKb(tree),
                tree.integer("max_channels_per_connection", "MAX_CHANNELS_PER_CONNECTION",
                        HeraldConfig.DEFAULT_MAX_CHANNELS_PER_CONNECTION, 1, 1_000_000),
                tree.integer("http_request_timeout", "HTTP_REQUEST_TIMEOUT",
                        HeraldConfig.DEFAULT_HTTP_REQUEST_TIMEOUT_SECONDS, 1, 3600),
                tree.integer("http_idle_timeout", "HTTP_IDLE_TIMEOUT", HeraldConfig.DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS, 1, 3600),
                tree.string("instance.process_id", "INSTANCE_PROCESS_ID", UUID.randomUUID().toString()),
                AdapterSettings.read(tree),
                AppSettings.read(tree, vars),
                CacheSettings.read(tree),
                EdgeSettings.ssl(tree),
                EdgeSettings.cors(tree),
                EdgeSettings.rateLimiter(tree),
                QueueSettings.queue(tree),
                QueueSettings.webhooks(tree),
                HealthSettings.metrics(tree),
                HealthSettings.healthCheck(tree),
                tree.integer("max_connections", "SOCKUDO_MAX_CONNECTIONS", 0, 0, Integer.MAX_VALUE),
                tree.bool("http_api.usage_enabled", "HTTP_API_USAGE_ENABLED", true),
                trustedCa(tree, "database.redis.master_tls.ca_path", "DATABASE_REDIS_MASTER_TLS_CA_PATH"),
                tree.driver("io_transport", "IO_TRANSPORT", HeraldConfig.IO_TRANSPORT_AUTO, HeraldConfig.IO_TRANSPORTS,
                        HeraldConfig.IO_TRANSPORTS),
                tree.bool("startup_warm_up", "STARTUP_WARM_UP", true));
    }

    /**
     * As in Sockudo: the file's {@code debug}, or {@code DEBUG_MODE}; then {@code DEBUG} true
     * forces it on (and {@code DEBUG=false} does not turn it off).
     */
    private static boolean debug(ConfigTree tree) {
        boolean debug = tree.bool("debug", "DEBUG_MODE", false);
        String forced = tree.env("DEBUG");
        return forced == null ? debug : EnvValues.bool("DEBUG", forced) || debug;
    }

    /**
     * A PEM file of certificate authorities for TLS to a backend (Sockudo's
     * {@code database.redis.master_tls.ca_path}, Herald's {@code adapter.nats.tls_ca_path}); read
     * now, so that a wrong path stops start-up naming the key. Null when not set.
     */
    static String trustedCa(ConfigTree tree, String key, String envVar) {
        String path = tree.string(key, envVar, null);
        if (path == null) {
            return null;
        }
        try {
            TrustedCertificates.read(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw tree.invalidHere(key, envVar, new ConfigException(tree.nameOf(key, envVar) + ": cannot read "
                    + "certificate authorities from " + path + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage())));
        }
        return path;
    }

    /**
     * {@code logging.format}, or {@code LOG_FORMAT} (or Sockudo's {@code LOG_OUTPUT_FORMAT}): one of
     * {@link #LOG_FORMATS}, "text" by default. Read apart from {@link #load}, before it, so that the
     * first log line of start-up is already in that format: this logs nothing, and a file that
     * cannot be read or parsed counts as absent here ({@link #load} then reports it).
     *
     * @throws ConfigException for any other value, naming the key or variable
     */
    public static String logFormat(Path explicitFileOrNull, Map<String, String> env, Path workingDir) {
        Map<String, String> vars = setVariables(env);
        ConfigTree tree = new ConfigTree(vars);
        try {
            for (Path file : files(explicitFileOrNull, workingDir)) {
                tree.merge(ConfigFiles.read(file, vars), file);
            }
        } catch (ConfigException unreadable) {
            tree = new ConfigTree(vars);
        }
        String envVar = tree.env("LOG_FORMAT") != null ? "LOG_FORMAT" : "LOG_OUTPUT_FORMAT";
        return tree.driver("logging.format", envVar, "text", LOG_FORMATS, LOG_FORMATS);
    }

    /** The environment without its empty variables (an empty variable counts as unset). */
    private static Map<String, String> setVariables(Map<String, String> env) {
        Map<String, String> vars = new HashMap<>();
        (env == null ? Map.<String, String>of() : env).forEach((name, value) -> {
            if (value != null && !value.isEmpty()) {
                vars.put(name, value);
            }
        });
        return vars;
    }

    /** The config files in load order: {@code config/config.json} of the working dir if present, then the explicit one. */
    private static List<Path> files(Path explicitFileOrNull, Path workingDir) {
        List<Path> files = new ArrayList<>();
        Path defaultFile = (workingDir == null ? Path.of("") : workingDir).resolve(DEFAULT_FILE);
        if (Files.exists(defaultFile) && !sameFile(defaultFile, explicitFileOrNull)) {
            files.add(defaultFile);
        }
        if (explicitFileOrNull != null) {
            files.add(explicitFileOrNull);
        }
        return files;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return b != null && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
