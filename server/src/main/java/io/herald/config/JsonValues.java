package io.herald.config;

import io.herald.wire.Secrets;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of single JSON values; each failure names the key, what was expected and found. */
final class JsonValues {

    private JsonValues() {}

    /** Stands for a key that is not there, in messages ("got nothing"). */
    static JsonNode absent() {
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    static boolean isAbsent(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull();
    }

    /** How a found value reads in an error message: {@code 'text'}, {@code 12}, {@code true}, {@code a list}. */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return quote(node.asText());
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "an object";
        }
        return node.toString(); // numbers, booleans, null
    }

    /** A value as an error message shows it: shortened, and without the credentials of a URL in it. */
    static String quote(String text) {
        text = Secrets.mask(text);
        return "'" + (text.length() > 80 ? text.substring(0, 77) + "..." : text) + "'";
    }

    static String rangeText(long min, long max, Long found) {
        if (max == Integer.MAX_VALUE && (found == null || found <= max)) {
            return "an integer >= " + min;
        }
        return "an integer between " + min + " and " + max;
    }

    /**
     * An integer within [min, max]. Integral JSON numbers are accepted, and so are strings holding
     * one ("100"), as Sockudo accepts them for app limits.
     */
    static int integer(JsonNode node, String key, int min, int max) {
        Long value = null;
        if (node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (node.isTextual() && node.asText().trim().matches("[-+]?\\d{1,18}")) {
            value = Long.parseLong(node.asText().trim());
        }
        if (value == null || value < min || value > max) {
            throw ConfigException.expected(key, rangeText(min, max, value), describe(node));
        }
        return value.intValue();
    }

    static boolean bool(JsonNode node, String key) {
        if (!node.isBoolean()) {
            throw ConfigException.expected(key, "true or false", describe(node));
        }
        return node.booleanValue();
    }

    static String nonEmptyString(JsonNode node, String key) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw ConfigException.expected(key, "a non-empty string", describe(node));
        }
        return node.asText();
    }

    /** Any string, the empty one included (a password). */
    static String string(JsonNode node, String key) {
        if (!node.isTextual()) {
            throw ConfigException.expected(key, "a string", describe(node));
        }
        return node.asText();
    }

    /** A list of strings; absent or null is the empty list. */
    static List<String> stringList(JsonNode node, String key) {
        if (isAbsent(node)) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ConfigException.expected(key, "a list of strings", describe(node));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw ConfigException.expected(key + "[" + i + "]", "a string", describe(item));
            }
            out.add(item.asText());
        }
        return out;
    }
}
