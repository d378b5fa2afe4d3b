package io.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.herald.app.App;
import io.herald.app.Webhook;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The memory app manager's apps after Sockudo's {@code SOCKUDO_DEFAULT_APP_*} variables: the
 * default app exists only when its id, key and secret are all set, and then replaces the apps of
 * the files; {@code SOCKUDO_DEFAULT_APP_ENABLED=false} means no default app (and none of the
 * files' either). Unlike Sockudo, a default app with some of id, key and secret but not all stops
 * start-up: the missing ones would otherwise fall back to guessable values, or the app would
 * silently not exist.
 */
final class DefaultAppEnv {

    static final String PREFIX = "SOCKUDO_DEFAULT_APP_";
    private static final List<String> CREDENTIALS = List.of("ID", "KEY", "SECRET");
    /** Herald's own default app, for a server started with no app at all (a first try, a test). */
    static final App FALLBACK = App.of("app-id", "app-key", "app-secret");

    private final Map<String, String> env;

    /** {@code env} must already exclude empty values. */
    DefaultAppEnv(Map<String, String> env) {
        this.env = env;
    }

    /**
     * The apps to run: {@code configured} (the files' {@code configKey}) unless the variables
     * replace or clear them, plus the default app; Herald's fallback app when that leaves none
     * and nothing asked for none.
     */
    List<App> apps(List<App> configured, String configKey, StartupNotes notes) {
        List<String> setCredentials = CREDENTIALS.stream().filter(name -> env.containsKey(PREFIX + name)).toList();
        boolean enabledSet = env.containsKey(PREFIX + "ENABLED");
        boolean enabled = flag("ENABLED", true);
        if (!setCredentials.isEmpty() && setCredentials.size() < CREDENTIALS.size() && enabled) {
            List<String> missing = CREDENTIALS.stream().filter(name -> !setCredentials.contains(name)).map(name -> PREFIX + name)
                    .toList();
            throw new ConfigException(String.join(" and ", missing) + (missing.size() > 1 ? " are" : " is")
                    + " not set, but " + String.join(", ", setCredentials.stream().map(name -> PREFIX + name).toList())
                    + (setCredentials.size() > 1 ? " are" : " is") + ": the default app needs its id, key and secret"
                    + " (or set " + PREFIX + "ENABLED=false)");
        }
        List<App> apps = new ArrayList<>(configured);
        if (skipInlineApps() && !apps.isEmpty()) {
            notes.info(apps.size() + " app(s) of " + configKey + " skipped: "
                    + (flagOf("SOCKUDO_SKIP_INLINE_APPS", false) ? "SOCKUDO_SKIP_INLINE_APPS" : "APP_MANAGER_REGISTER_INLINE_APPS=false"));
            apps.clear();
        }
        boolean replaceConfigured = !setCredentials.isEmpty() || enabledSet && !enabled;
        if (replaceConfigured && !apps.isEmpty()) {
            notes.info("The " + apps.size() + " app(s) of " + configKey + " are replaced by the " + PREFIX
                    + "* variables, as in Sockudo");
            apps.clear();
        }
        if (!setCredentials.isEmpty() && enabled) {
            App app = settings(App.builder(text("ID"), text("KEY"), text("SECRET")), notes).build();
            notes.info("Default app '" + app.id() + "' from " + PREFIX + "*: limits not set have Herald's app defaults"
                    + " (max_connections unlimited, names up to 200 characters, user_info up to 2 KB, batches of 10),"
                    + " where Sockudo gives its default app 100 for each");
            apps.add(app);
            return apps;
        }
        if (enabledSet && !enabled) {
            notes.info("No default app: " + PREFIX + "ENABLED is false");
            if (apps.isEmpty()) {
                notes.warn("No apps configured: every connection and API call will be refused (app not found)");
            }
            return apps;
        }
        if (apps.isEmpty() && !skipInlineApps()) {
            App app = settings(FALLBACK.toBuilder(), notes).build();
            notes.warn("No apps configured: using the default app (id '" + app.id() + "', key '" + app.key() + "', secret '"
                    + app.secret() + "'); configure " + configKey + " or " + PREFIX + "ID, _KEY and _SECRET"
                    + " before exposing this server");
            apps.add(app);
        } else if (apps.isEmpty()) {
            notes.warn("No apps configured: every connection and API call will be refused (app not found)");
        }
        return apps;
    }

    /**
     * Whether any default-app variable is set: with a database app manager they do nothing (apps
     * come from the table), which the loader tells.
     */
    List<String> setVariables() {
        return env.keySet().stream().filter(name -> name.startsWith(PREFIX) || name.equals("SOCKUDO_ENABLE_CLIENT_MESSAGES"))
                .sorted().toList();
    }

    private boolean skipInlineApps() {
        return flagOf("SOCKUDO_SKIP_INLINE_APPS", false) || !flagOf("APP_MANAGER_REGISTER_INLINE_APPS", true);
    }

    /** The settings variables, on the default app or on Herald's fallback app. */
    private App.Builder settings(App.Builder app, StartupNotes notes) {
        return app.maxConnections(number("MAX_CONNECTIONS"))
                .maxBackendEventsPerSecond(number("MAX_BACKEND_EVENTS_PER_SECOND"))
                .maxClientEventsPerSecond(number("MAX_CLIENT_EVENTS_PER_SECOND"))
                .maxReadRequestsPerSecond(number("MAX_READ_REQUESTS_PER_SECOND"))
                .maxPresenceMembersPerChannel(number("MAX_PRESENCE_MEMBERS_PER_CHANNEL"))
                .maxPresenceMemberSizeInKb(number("MAX_PRESENCE_MEMBER_SIZE_IN_KB"))
                .maxChannelNameLength(number("MAX_CHANNEL_NAME_LENGTH"))
                .maxEventChannelsAtOnce(number("MAX_EVENT_CHANNELS_AT_ONCE"))
                .maxEventNameLength(number("MAX_EVENT_NAME_LENGTH"))
                .maxEventPayloadInKb(number("MAX_EVENT_PAYLOAD_IN_KB"))
                .maxEventBatchSize(number("MAX_EVENT_BATCH_SIZE"))
                // Sockudo's name without DEFAULT_APP_ is read when the longer one is not set.
                .enableClientMessages(env.containsKey(PREFIX + "ENABLE_CLIENT_MESSAGES") ? flag("ENABLE_CLIENT_MESSAGES", false)
                        : flagOf("SOCKUDO_ENABLE_CLIENT_MESSAGES", false))
                .enableUserAuthentication(flag("ENABLE_USER_AUTHENTICATION", false))
                .enableWatchlistEvents(flag("ENABLE_WATCHLIST_EVENTS", false))
                .allowedOrigins(origins())
                .webhooks(webhooks(notes));
    }

    private String text(String name) {
        return env.get(PREFIX + name).trim();
    }

    private boolean flag(String name, boolean fallback) {
        return flagOf(PREFIX + name, fallback);
    }

    private boolean flagOf(String var, boolean fallback) {
        String raw = env.get(var);
        return raw == null ? fallback : EnvValues.bool(var, raw);
    }

    /** 0 (unset) means the app default, as for every app. */
    private int number(String name) {
        String raw = env.get(PREFIX + name);
        return raw == null ? 0 : EnvValues.integer(PREFIX + name, raw, 0, Integer.MAX_VALUE);
    }

    /** {@code SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS}: comma-separated; unset means any origin. */
    private List<String> origins() {
        String raw = env.get(PREFIX + "ALLOWED_ORIGINS");
        return raw == null ? List.of() : Arrays.stream(raw.split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList();
    }

    /** {@code SOCKUDO_DEFAULT_APP_WEBHOOKS} (Herald's): a JSON list of webhook records. */
    private List<Webhook> webhooks(StartupNotes notes) {
        String var = PREFIX + "WEBHOOKS";
        String raw = env.get(var);
        if (raw == null) {
            return List.of();
        }
        JsonNode webhooks;
        try {
            webhooks = JsonMapper.builder().build().readTree(raw);
        } catch (JsonProcessingException e) {
            throw new ConfigException(var + ": expected a JSON list of webhooks, got malformed JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (webhooks == null || !webhooks.isArray()) {
            throw ConfigException.expected(var, "a JSON list of webhooks", JsonValues.quote(raw));
        }
        return WebhookRecords.parseList(webhooks, var, notes);
    }

    /** {@code SOCKUDO_DEFAULT_APP_WEBHOOKS} as JSON, for the unknown-key check; null when unset or malformed. */
    JsonNode webhooksJson() {
        String raw = env.get(PREFIX + "WEBHOOKS");
        try {
            return raw == null ? null : JsonMapper.builder().build().readTree(raw);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
