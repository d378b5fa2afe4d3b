package io.herald.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one shared, thread-safe Jackson mapper. */
public final class Jsons {
    /**
     * Input must be exactly one JSON value: by default Jackson stops after the first value and
     * ignores the rest, so {@code {"event":"pusher:ping"} garbage} would be executed as a ping.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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
