package io.herald.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one shared, thread-safe Jackson mapper. */
public final class Jsons {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Jsons() {}

    /** {@code value} as a JSON string literal, quotes and escapes included. */
    public static String quote(String value) {
        return MAPPER.getNodeFactory().textNode(value).toString();
    }

    /** The string in {@code node.field}, or null when it is absent or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
