package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Sockudo's app record (snake_case keys) to an {@link App}: shared by the memory app manager's
 * {@code app_manager.array.apps} and the SQL app managers (one row as a JSON object; what there
 * is to say about a row is logged at once). Unknown keys
 * are the business of the key check ({@link ConfigKeys#APP}), not of this parser.
 */
public final class AppRecordParser {

    /** The keys a record with a {@code policy} keeps outside it (Sockudo reads every other from the policy). */
    private static final Set<String> BESIDE_POLICY = Set.of("id", "key", "secret", "enabled", "policy",
            "enable_subscription_count_event");
    private static final List<String> LIMITS = List.of("max_connections", "max_client_events_per_second",
            "max_backend_events_per_second", "max_read_requests_per_second", "max_presence_members_per_channel",
            "max_presence_member_size_in_kb", "max_channel_name_length", "max_event_channels_at_once",
            "max_event_name_length", "max_event_payload_in_kb", "max_event_batch_size");
    private static final List<String> FEATURES = List.of("enable_client_messages", "enable_user_authentication",
            "enable_watchlist_events");

    private AppRecordParser() {}

    /**
     * One app record. {@code keyPath} is where it sits, as the operator would name it
     * ({@code app_manager.array.apps[0]}); every error starts with it. Limits given as 0 or absent
     * get their defaults.
     */
    public static App parse(JsonNode node, String keyPath) {
        return parse(node, keyPath, StartupNotes.immediate(LoggerFactory.getLogger(AppRecordParser.class)));
    }

    static App parse(JsonNode node, String keyPath, StartupNotes notes) {
        if (node == null || !node.isObject()) {
            throw ConfigException.expected(keyPath, "an app record (a JSON object)", JsonValues.describe(node));
        }
        JsonNode policy = node.get("policy");
        boolean policyForm = !JsonValues.isAbsent(policy);
        if (policyForm) {
            node = fromPolicy((ObjectNode) node, policy, keyPath, notes);
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
                .webhooks(WebhookRecords.parseList(node.get("webhooks"), keyPath + (policyForm ? ".policy" : "") + ".webhooks",
                        notes))
                .build();
        return app;
    }

    /**
     * Sockudo's policy form: limits, features, origins and webhooks come from {@code policy}, and
     * a flat field beside it is ignored (told, since Sockudo ignores it silently). An error about
     * a value names the flat key ({@code max_connections}, not {@code policy.limits.max_connections}).
     */
    private static JsonNode fromPolicy(ObjectNode record, JsonNode policy, String keyPath, StartupNotes notes) {
        if (!policy.isObject()) {
            throw ConfigException.expected(keyPath + ".policy", "an object", JsonValues.describe(policy));
        }
        ObjectNode flat = record.objectNode();
        record.properties().forEach(field -> {
            if (BESIDE_POLICY.contains(field.getKey())) {
                flat.set(field.getKey(), field.getValue());
            } else if (!JsonValues.isAbsent(field.getValue())) {
                notes.warn(keyPath + "." + field.getKey() + ": ignored because the app has a policy (as in Sockudo,"
                        + " the policy's value counts)");
            }
        });
        flat.remove("policy");
        copy(policy.get("limits"), LIMITS, flat);
        copy(policy.get("features"), FEATURES, flat);
        copy(policy.get("channels"), List.of("allowed_origins"), flat);
        copy(policy, List.of("webhooks"), flat);
        return flat;
    }

    private static void copy(JsonNode from, List<String> fields, ObjectNode to) {
        if (from != null && from.isObject()) {
            fields.forEach(field -> {
                if (!JsonValues.isAbsent(from.get(field))) {
                    to.set(field, from.get(field));
                }
            });
        }
    }

    /** A list of app records; two entries with the same id or the same key are an error naming both. */
    public static List<App> parseList(JsonNode list, String keyPath) {
        return parseList(list, keyPath, StartupNotes.immediate(LoggerFactory.getLogger(AppRecordParser.class)));
    }

    static List<App> parseList(JsonNode list, String keyPath, StartupNotes notes) {
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
            App app = parse(list.get(i), entry, notes);
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
