package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.herald.app.App;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sockudo's app record (snake_case keys) to an {@link App}: shared by the memory app manager's
 * {@code app_manager.array.apps} and the SQL app managers (one row as a JSON object).
 */
public final class AppRecordParser {

    private static final Logger LOG = LoggerFactory.getLogger(AppRecordParser.class);

    private static final Set<String> KNOWN_KEYS = Set.of(
            "id", "key", "secret", "enabled", "max_connections", "enable_client_messages",
            "max_client_events_per_second", "max_backend_events_per_second", "max_read_requests_per_second",
            "max_presence_members_per_channel", "max_presence_member_size_in_kb", "max_channel_name_length",
            "max_event_channels_at_once", "max_event_name_length", "max_event_payload_in_kb",
            "max_event_batch_size", "enable_user_authentication", "enable_watchlist_events",
            "enable_subscription_count_event", "allowed_origins", "webhooks");

    private AppRecordParser() {}

    /**
     * One app record. {@code keyPath} is where it sits, as the operator would name it
     * ({@code app_manager.array.apps[0]}); every error and warning starts with it. Limits given as
     * 0 or absent get their defaults.
     */
    public static App parse(JsonNode node, String keyPath) {
        if (node == null || !node.isObject()) {
            throw ConfigException.expected(keyPath, "an app record (a JSON object)", JsonValues.describe(node));
        }
        Record r = new Record(node, keyPath);
        String id = r.id();
        App app = App.builder(id, r.text("key"), r.text("secret"))
                .enabled(r.flag("enabled", true))
                .maxConnections(r.limit("max_connections"))
                .enableClientMessages(r.flag("enable_client_messages", false))
                .maxClientEventsPerSecond(r.limit("max_client_events_per_second"))
                .maxBackendEventsPerSecond(r.limit("max_backend_events_per_second"))
                .maxReadRequestsPerSecond(r.limit("max_read_requests_per_second"))
                .maxPresenceMembersPerChannel(r.limit("max_presence_members_per_channel"))
                .maxPresenceMemberSizeInKb(r.limit("max_presence_member_size_in_kb"))
                .maxChannelNameLength(r.limit("max_channel_name_length"))
                .maxEventChannelsAtOnce(r.limit("max_event_channels_at_once"))
                .maxEventNameLength(r.limit("max_event_name_length"))
                .maxEventPayloadInKb(r.limit("max_event_payload_in_kb"))
                .maxEventBatchSize(r.limit("max_event_batch_size"))
                .enableUserAuthentication(r.flag("enable_user_authentication", false))
                .enableWatchlistEvents(r.flag("enable_watchlist_events", false))
                .enableSubscriptionCountEvent(r.flag("enable_subscription_count_event", false))
                .allowedOrigins(JsonValues.stringList(node.get("allowed_origins"), keyPath + ".allowed_origins"))
                .webhooks(WebhookRecords.parseList(node.get("webhooks"), keyPath + ".webhooks"))
                .build();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!KNOWN_KEYS.contains(field.getKey())) {
                LOG.warn("Unknown app key '{}.{}' ignored (app '{}')", keyPath, field.getKey(), id);
            }
        }
        return app;
    }

    /** A list of app records; two entries with the same id or the same key are an error naming both. */
    public static List<App> parseList(JsonNode list, String keyPath) {
        if (JsonValues.isAbsent(list)) {
            return List.of();
        }
        if (!list.isArray()) {
            throw ConfigException.expected(keyPath, "a list of app records", JsonValues.describe(list));
        }
        List<App> apps = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String entry = keyPath + "[" + i + "]";
            App app = parse(list.get(i), entry);
            unique(ids, app.id(), entry, "id");
            unique(keys, app.key(), entry, "key");
            apps.add(app);
        }
        return apps;
    }

    private static void unique(Map<String, String> seen, String value, String entry, String what) {
        String first = seen.putIfAbsent(value, entry);
        if (first != null) {
            throw new ConfigException(entry + "." + what + ": duplicate app " + what + " " + JsonValues.quote(value)
                    + ", already used by " + first);
        }
    }

    /** Field reads for one record, each failure naming {@code keyPath.field}. */
    private record Record(JsonNode node, String keyPath) {

        String id() {
            JsonNode value = node.get("id");
            if (value != null && value.isIntegralNumber()) {
                return value.asText();
            }
            return JsonValues.nonEmptyString(value == null ? MissingNode.getInstance() : value, keyPath + ".id");
        }

        String text(String field) {
            JsonNode value = node.get(field);
            return JsonValues.nonEmptyString(value == null ? MissingNode.getInstance() : value, keyPath + "." + field);
        }

        boolean flag(String field, boolean fallback) {
            JsonNode value = node.get(field);
            return JsonValues.isAbsent(value) ? fallback : JsonValues.bool(value, keyPath + "." + field);
        }

        int limit(String field) {
            JsonNode value = node.get(field);
            return JsonValues.isAbsent(value) ? 0 : JsonValues.integer(value, keyPath + "." + field, 0, Integer.MAX_VALUE);
        }
    }
}
