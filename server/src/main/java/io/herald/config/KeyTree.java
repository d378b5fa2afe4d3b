package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Builds {@link KnownKey} trees so that a block of the catalog reads like the block of a config file. */
final class KeyTree {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, KnownKey> keys = new LinkedHashMap<>();
    private Boolean enabledByDefault;

    private KeyTree() {}

    static KnownKey.Block block(Consumer<KeyTree> body) {
        KeyTree tree = new KeyTree();
        body.accept(tree);
        return tree.build();
    }

    /** Keys Herald reads. */
    KeyTree read(String... names) {
        return leaves(KnownKey.Use.READ, null, List.of(), names);
    }

    /** Keys that are accepted and ignored, with a warning giving {@code reason}. */
    KeyTree ignored(String reason, String... names) {
        return leaves(KnownKey.Use.IGNORED, reason, List.of(), names);
    }

    /** Ignored keys that need no warning when their value is {@code harmlessJson} (what Herald does anyway). */
    KeyTree ignoredUnless(String harmlessJson, String reason, String... names) {
        return leaves(KnownKey.Use.IGNORED, reason, List.of(json(harmlessJson)), names);
    }

    /** Keys that stop start-up with {@code reason} whatever their value (but null, which counts as absent). */
    KeyTree refused(String reason, String... names) {
        return leaves(KnownKey.Use.REFUSED, reason, List.of(), names);
    }

    /** Keys that stop start-up with {@code reason} unless their value is {@code harmlessJson}. */
    KeyTree refusedUnless(String harmlessJson, String reason, String... names) {
        return leaves(KnownKey.Use.REFUSED, reason, List.of(json(harmlessJson)), names);
    }

    KeyTree block(String name, Consumer<KeyTree> body) {
        return add(name, block(body));
    }

    /**
     * A block switched by its {@code enabled} key, which is Sockudo's default when absent: while it
     * is off, its ignored keys need no warning.
     */
    KeyTree feature(String name, boolean enabledByDefault, Consumer<KeyTree> body) {
        return add(name, feature(enabledByDefault, body));
    }

    /** A standalone feature block (see {@link #feature(String, boolean, Consumer)}). */
    static KnownKey.Block feature(boolean enabledByDefault, Consumer<KeyTree> body) {
        KeyTree tree = new KeyTree();
        tree.enabledByDefault = enabledByDefault;
        body.accept(tree);
        return tree.build();
    }

    /** A feature block every key of which is ignored with the same reason. */
    KeyTree ignoredFeature(String name, boolean enabledByDefault, String reason, String... names) {
        return feature(name, enabledByDefault, f -> f.ignoredUnless("false", reason, "enabled").ignored(reason, names));
    }

    /** A list of objects of this shape. */
    KeyTree listOf(String name, Consumer<KeyTree> item) {
        return add(name, new KnownKey.ListOf(block(item)));
    }

    KeyTree add(String name, KnownKey node) {
        if (keys.putIfAbsent(name, node) != null) {
            throw new IllegalStateException("key listed twice: " + name);
        }
        return this;
    }

    private KeyTree leaves(KnownKey.Use use, String reason, List<JsonNode> harmless, String... names) {
        Arrays.stream(names).forEach(name -> add(name, new KnownKey.Leaf(use, reason, harmless)));
        return this;
    }

    private KnownKey.Block build() {
        return new KnownKey.Block(keys, enabledByDefault);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
