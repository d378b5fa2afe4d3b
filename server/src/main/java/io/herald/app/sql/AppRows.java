package io.herald.app.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.config.AppRecordParser;
import io.herald.config.ConfigException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of the apps table to an {@link App}, the way Sockudo reads it: when the {@code policy}
 * JSON column is set (Sockudo writes it for every app it creates), the app's limits, features,
 * origins and webhooks come from it and the flat columns are ignored; otherwise (a row inserted by
 * hand) from the flat columns. The row becomes Sockudo's app record and goes through the same
 * parser as configured apps, so a database app is checked exactly like a configured one.
 */
final class AppRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static final List<String> LIMITS = List.of("max_connections", "max_client_events_per_second",
            "max_backend_events_per_second", "max_read_requests_per_second", "max_presence_members_per_channel",
            "max_presence_member_size_in_kb", "max_channel_name_length", "max_event_channels_at_once",
            "max_event_name_length", "max_event_payload_in_kb", "max_event_batch_size");
    static final List<String> FEATURES = List.of("enable_client_messages", "enable_user_authentication",
            "enable_watchlist_events", "enable_subscription_count_event");

    private AppRows() {}

    /**
     * {@code row}: column name (lower case) to its JDBC value. {@code where} names the row in
     * errors, e.g. {@code applications row 'app-1'}.
     *
     * @throws ConfigException naming the column when the row cannot be an app
     */
    static App parse(Map<String, Object> row, String where) {
        ObjectNode record = NODES.objectNode();
        copyText(row, "id", record);
        copyText(row, "key", record);
        copyText(row, "secret", record);
        putFlag(record, "enabled", row.get("enabled"), where);
        JsonNode policy = json(row.get("policy"), where + ".policy");
        if (policy != null && policy.isObject()) {
            fromPolicy(policy, record, where + ".policy");
        } else {
            for (String limit : LIMITS) {
                putLimit(record, limit, row.get(limit), where + "." + limit);
            }
            for (String feature : FEATURES) {
                putFlag(record, feature, row.get(feature), where);
            }
            putJson(record, "allowed_origins", json(row.get("allowed_origins"), where + ".allowed_origins"));
            putJson(record, "webhooks", withoutNulls(json(row.get("webhooks"), where + ".webhooks")));
        }
        // Herald's own column: Sockudo keeps no such switch outside its policy.
        if (!record.has("enable_subscription_count_event")) {
            putFlag(record, "enable_subscription_count_event", row.get("enable_subscription_count_event"), where);
        }
        return AppRecordParser.parse(record, where);
    }

    /** Sockudo's {@code policy}: {@code limits}, {@code features}, {@code channels.allowed_origins}, {@code webhooks}. */
    private static void fromPolicy(JsonNode policy, ObjectNode record, String where) {
        JsonNode limits = policy.path("limits");
        for (String limit : LIMITS) {
            JsonNode value = limits.get(limit);
            putLimit(record, limit, value == null || value.isNull() ? null : value.isTextual() ? value.asText() : value.numberValue(),
                    where + ".limits." + limit);
        }
        JsonNode features = policy.path("features");
        for (String feature : FEATURES) {
            JsonNode value = features.get(feature);
            if (value != null && !value.isNull()) {
                record.set(feature, value);
            }
        }
        putJson(record, "allowed_origins", policy.path("channels").get("allowed_origins"));
        putJson(record, "webhooks", withoutNulls(policy.get("webhooks")));
    }

    private static void copyText(Map<String, Object> row, String column, ObjectNode record) {
        Object value = row.get(column);
        if (value != null) {
            record.put(column, value.toString());
        }
    }

    /** A limit: a number, or a number written as text (Sockudo accepts both); absent or NULL means the default. */
    private static void putLimit(ObjectNode record, String field, Object value, String where) {
        if (value == null) {
            return;
        }
        long number;
        try {
            number = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw ConfigException.expected(where, "a whole number", "'" + value + "'");
        }
        if (number < 0 || number > Integer.MAX_VALUE) {
            throw ConfigException.expected(where, "a whole number between 0 and " + Integer.MAX_VALUE, Long.toString(number));
        }
        record.put(field, (int) number);
    }

    /** A switch: BOOLEAN columns arrive as Boolean, MySQL's TINYINT(1) sometimes as a number. */
    private static void putFlag(ObjectNode record, String field, Object value, String where) {
        if (value == null) {
            return;
        }
        if (value instanceof Boolean flag) {
            record.put(field, flag);
        } else if (value instanceof Number number) {
            record.put(field, number.longValue() != 0);
        } else {
            String text = value.toString().trim().toLowerCase(Locale.ROOT);
            switch (text) {
                case "true", "t", "1", "yes", "on" -> record.put(field, true);
                case "false", "f", "0", "no", "off" -> record.put(field, false);
                default -> throw ConfigException.expected(where + "." + field, "true or false", "'" + value + "'");
            }
        }
    }

    private static void putJson(ObjectNode record, String field, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            record.set(field, value);
        }
    }

    /** A JSON column's text (JSON in MySQL, JSONB in PostgreSQL); SQL NULL and JSON null are both absent. */
    private static JsonNode json(Object value, String where) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        try {
            JsonNode node = JSON.readTree(text);
            return node == null || node.isNull() ? null : node;
        } catch (JsonProcessingException e) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw ConfigException.expected(where, "JSON", "'" + shown + "'");
        }
    }

    /** Sockudo writes an absent webhook field as JSON null; null means absent here. */
    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = NODES.objectNode();
            object.properties().forEach(field -> {
                if (!field.getValue().isNull()) {
                    copy.set(field.getKey(), withoutNulls(field.getValue()));
                }
            });
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = NODES.arrayNode();
            array.forEach(item -> copy.add(withoutNulls(item)));
            return copy;
        }
        return node;
    }
}
