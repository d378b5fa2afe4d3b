package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The config files merged in load order (objects merge key by key, anything else is replaced),
 * remembering which file each value came from, plus the environment that overrides them. Its
 * typed getters validate the file value (if any), then let a set environment variable win.
 */
final class ConfigTree {

    private final ObjectNode root = JsonNodeFactory.instance.objectNode();
    private final Map<String, Path> origins = new HashMap<>();
    private final Map<String, String> env;
    private final StartupNotes notes;

    /** {@code env} must already exclude empty values. */
    ConfigTree(Map<String, String> env) {
        this(env, new StartupNotes());
    }

    ConfigTree(Map<String, String> env, StartupNotes notes) {
        this.env = env;
        this.notes = notes;
    }

    /** The merged files. */
    ObjectNode root() {
        return root;
    }

    /** What the readers have to tell the operator, logged once the configuration is known to be valid. */
    StartupNotes notes() {
        return notes;
    }

    /** Whether the operator set this key (in a file) or this variable. */
    boolean isSet(String keyPath, String envVar) {
        return node(keyPath) != null || envVar != null && env.containsKey(envVar);
    }

    void merge(ObjectNode overlay, Path source) {
        merge(root, overlay, "", source);
    }

    private void merge(ObjectNode base, ObjectNode overlay, String prefix, Path source) {
        for (Map.Entry<String, JsonNode> field : overlay.properties()) {
            String path = prefix + field.getKey();
            JsonNode existing = base.get(field.getKey());
            if (existing != null && existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), path + ".", source);
            } else {
                base.set(field.getKey(), field.getValue());
                origins.put(path, source);
            }
        }
    }

    /** The file that gave the value at {@code keyPath} (or its nearest enclosing value); null if none. */
    Path sourceOf(String keyPath) {
        String path = keyPath;
        while (!path.isEmpty()) {
            Path source = origins.get(path);
            if (source != null) {
                return source;
            }
            path = path.substring(0, Math.max(0, Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))));
        }
        return null;
    }

    /** The value at a dotted path, or null if absent or JSON null; an enclosing non-object is an error. */
    JsonNode node(String keyPath) {
        JsonNode current = root;
        String walked = "";
        for (String part : keyPath.split("\\.")) {
            if (!current.isObject()) {
                throw ConfigException.expected(walked, "an object", JsonValues.describe(current)).in(sourceOf(walked));
            }
            current = current.get(part);
            walked = walked.isEmpty() ? part : walked + "." + part;
            if (JsonValues.isAbsent(current)) {
                return null;
            }
        }
        return current;
    }

    String env(String var) {
        return env.get(var);
    }

    /** The name an operator would look for: the variable if it is set, else the key. */
    String nameOf(String keyPath, String envVar) {
        return envVar != null && env.containsKey(envVar) ? envVar : keyPath;
    }

    int integer(String keyPath, String envVar, int fallback, int min, int max) {
        return read(keyPath, envVar, fallback,
                (node, key) -> JsonValues.integer(node, key, min, max),
                (var, raw) -> EnvValues.integer(var, raw, min, max));
    }

    boolean bool(String keyPath, String envVar, boolean fallback) {
        return read(keyPath, envVar, fallback, JsonValues::bool, EnvValues::bool);
    }

    String string(String keyPath, String envVar, String fallback) {
        return read(keyPath, envVar, fallback, JsonValues::nonEmptyString, (var, raw) -> {
            if (raw.isBlank()) {
                throw ConfigException.expected(var, "a non-empty value", JsonValues.quote(raw));
            }
            return raw.trim();
        });
    }

    /** Any string as given, the empty one included (a password); null when absent. */
    String optionalString(String keyPath, String envVar) {
        return read(keyPath, envVar, null, JsonValues::string, (var, raw) -> raw);
    }

    /** A list of strings; from the environment, comma-separated. */
    List<String> stringList(String keyPath, String envVar, List<String> fallback) {
        return read(keyPath, envVar, fallback, JsonValues::stringList, (var, raw) -> Arrays.stream(raw.split(","))
                .map(String::trim).filter(item -> !item.isEmpty()).toList());
    }

    private <T> T read(String keyPath, String envVar, T fallback,
                       BiFunction<JsonNode, String, T> fromJson, BiFunction<String, String, T> fromEnv) {
        T value = fallback;
        JsonNode node = node(keyPath);
        if (node != null) {
            try {
                value = fromJson.apply(node, keyPath);
            } catch (ConfigException e) {
                throw (isSecret(keyPath) ? notShown(keyPath) : e).in(sourceOf(keyPath));
            }
        }
        String raw = envVar == null ? null : env.get(envVar);
        try {
            return raw == null ? value : fromEnv.apply(envVar, raw);
        } catch (ConfigException e) {
            throw isSecret(keyPath) ? notShown(envVar) : e;
        }
    }

    /** A password, token or secret: a message about its value must not print it. */
    private static boolean isSecret(String keyPath) {
        String last = keyPath.substring(keyPath.lastIndexOf('.') + 1);
        return last.equals("password") || last.equals("token") || last.equals("secret");
    }

    private static ConfigException notShown(String name) {
        return new ConfigException(name + ": expected a string (the value is a secret, so it is not shown)");
    }

    /**
     * The effective driver name, lower-cased (Sockudo's variables are case-insensitive).
     * A name Sockudo knows but this build does not have, and an unknown name, fail differently.
     */
    String driver(String key, String envVar, String fallback, java.util.List<String> known, java.util.List<String> available) {
        String driver = string(key, envVar, fallback).toLowerCase(Locale.ROOT);
        String name = nameOf(key, envVar);
        if (!known.contains(driver)) {
            throw invalidHere(key, envVar, ConfigException.expected(name, "one of " + String.join(", ", known),
                    JsonValues.quote(driver)));
        }
        if (!available.contains(driver)) {
            throw invalidHere(key, envVar, new ConfigException(name + ": " + JsonValues.quote(driver)
                    + " is a Sockudo driver that Herald does not have (Herald has: " + String.join(", ", available) + ")"));
        }
        return driver;
    }

    /** Adds the file to a message about a value that came from a file rather than the environment. */
    ConfigException invalidHere(String key, String envVar, ConfigException e) {
        return envVar != null && env.containsKey(envVar) ? e : e.in(sourceOf(key));
    }
}
