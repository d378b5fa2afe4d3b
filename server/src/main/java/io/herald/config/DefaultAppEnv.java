package io.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.herald.app.App;
import io.herald.app.Webhook;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The memory app manager's default app, from Sockudo's {@code SOCKUDO_DEFAULT_APP_*} variables. */
final class DefaultAppEnv {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultAppEnv.class);

    static final String PREFIX = "SOCKUDO_DEFAULT_APP_";
    private static final List<String> VARIABLES = List.of(
            "ID", "KEY", "SECRET", "ENABLED", "ENABLE_CLIENT_MESSAGES", "MAX_CONNECTIONS",
            "MAX_CLIENT_EVENTS_PER_SECOND", "ENABLE_USER_AUTHENTICATION", "ENABLE_WATCHLIST_EVENTS", "WEBHOOKS");

    private final Map<String, String> env;

    /** {@code env} must already exclude empty values. */
    DefaultAppEnv(Map<String, String> env) {
        this.env = env;
        for (String name : env.keySet()) {
            if (name.startsWith(PREFIX) && !VARIABLES.contains(name.substring(PREFIX.length()))) {
                LOG.warn("Environment variable {} is not recognized and is ignored (known: {})",
                        name, VARIABLES.stream().map(v -> PREFIX + v).collect(Collectors.joining(", ")));
            }
        }
    }

    boolean anySet() {
        return VARIABLES.stream().anyMatch(v -> env.containsKey(PREFIX + v));
    }

    /** The default app: id {@code app-id}, key {@code app-key}, secret {@code app-secret} unless set. */
    App build() {
        return App.builder(text("ID", "app-id"), text("KEY", "app-key"), text("SECRET", "app-secret"))
                .enabled(flag("ENABLED", true))
                .maxConnections(number("MAX_CONNECTIONS"))
                .enableClientMessages(flag("ENABLE_CLIENT_MESSAGES", false))
                .maxClientEventsPerSecond(number("MAX_CLIENT_EVENTS_PER_SECOND"))
                .enableUserAuthentication(flag("ENABLE_USER_AUTHENTICATION", false))
                .enableWatchlistEvents(flag("ENABLE_WATCHLIST_EVENTS", false))
                .webhooks(webhooks())
                .build();
    }

    private String text(String name, String fallback) {
        String raw = env.get(PREFIX + name);
        return raw == null || raw.isBlank() ? fallback : raw.trim();
    }

    private boolean flag(String name, boolean fallback) {
        String raw = env.get(PREFIX + name);
        return raw == null ? fallback : EnvValues.bool(PREFIX + name, raw);
    }

    private int number(String name) {
        String raw = env.get(PREFIX + name);
        return raw == null ? 0 : EnvValues.integer(PREFIX + name, raw, 0, Integer.MAX_VALUE);
    }

    /** {@code SOCKUDO_DEFAULT_APP_WEBHOOKS}: a JSON list of webhook records. */
    private List<Webhook> webhooks() {
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
        return WebhookRecords.parseList(webhooks, var);
    }
}
