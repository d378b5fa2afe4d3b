package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks configuration values against a {@link KnownKey} tree: every unknown key at any depth is
 * warned about with the closest known key, every ignored key is warned about with its reason
 * (one line per reason), and a refused key stops start-up. Types and ranges are the readers'
 * business, not this check's: a value of the wrong shape is simply not walked into.
 */
final class KeyCheck {

    private final KnownKey.Block root;
    private final Function<String, Path> sourceOf;
    private final List<String> unknown = new ArrayList<>();
    private final Map<String, List<String>> ignoredByReason = new LinkedHashMap<>();

    private KeyCheck(KnownKey.Block root, Function<String, Path> sourceOf) {
        this.root = root;
        this.sourceOf = sourceOf;
    }

    /**
     * Checks {@code value}, found at {@code path} (empty for a whole file), against {@code schema}
     * (a part of {@code root}, which suggestions are looked for in), and adds what it finds to
     * {@code notes}.
     *
     * @throws ConfigException for a refused key, naming it and why
     */
    static void check(JsonNode value, String path, KnownKey schema, KnownKey.Block root, Function<String, Path> sourceOf,
                      StartupNotes notes) {
        KeyCheck check = new KeyCheck(root, sourceOf);
        check.walk(value, schema, path, false);
        check.unknown.forEach(notes::unknownKey);
        check.ignoredByReason.forEach((reason, paths) -> notes.warn("Ignored setting" + (paths.size() > 1 ? "s " : " ")
                + String.join(", ", paths) + ": " + reason));
    }

    private void walk(JsonNode value, KnownKey schema, String path, boolean featureOff) {
        if (schema instanceof KnownKey.Block block && value.isObject()) {
            boolean off = featureOff || block.enabledByDefault() != null && !enabled(value, block.enabledByDefault());
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                KnownKey known = block.keys().get(field.getKey());
                if (known == null) {
                    unknown.add("Unknown configuration key '" + at + "' ignored" + in(at) + suggestion(field.getKey(), block));
                } else if (!JsonValues.isAbsent(field.getValue())) {
                    walk(field.getValue(), known, at, off);
                }
            }
        } else if (schema instanceof KnownKey.ListOf list && value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                if (!JsonValues.isAbsent(value.get(i))) {
                    walk(value.get(i), list.item(), path + "[" + i + "]", featureOff);
                }
            }
        } else if (schema instanceof KnownKey.Leaf leaf && !leaf.isHarmless(value)) {
            if (leaf.use() == KnownKey.Use.REFUSED) {
                throw new ConfigException(path + ": not supported: " + leaf.reason()).in(sourceOf.apply(path));
            }
            if (leaf.use() == KnownKey.Use.IGNORED && !featureOff) {
                ignoredByReason.computeIfAbsent(leaf.reason() + in(path), r -> new ArrayList<>()).add(path);
            }
        }
    }

    /** A feature block's switch: its {@code enabled} value when it is a boolean, else Sockudo's default. */
    private static boolean enabled(JsonNode block, boolean byDefault) {
        JsonNode enabled = block.get("enabled");
        return enabled != null && enabled.isBoolean() ? enabled.booleanValue() : byDefault;
    }

    private String in(String path) {
        Path source = sourceOf.apply(path);
        return source == null ? "" : " (in " + source + ")";
    }

    /** The sibling key it was probably meant to be, else where else a key of that name lives. */
    private String suggestion(String name, KnownKey.Block siblings) {
        String close = Spelling.closest(name, siblings.keys().keySet());
        if (close != null) {
            return "; did you mean '" + close + "'?";
        }
        List<String> elsewhere = new ArrayList<>();
        collectPaths(root, "", name, elsewhere);
        elsewhere.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
        return elsewhere.isEmpty() ? "" : "; did you mean '" + String.join("' or '", elsewhere.subList(0,
                Math.min(3, elsewhere.size()))) + "'?";
    }

    /** The keys Herald reads that have this name (not those it ignores: no use suggesting them). */
    private static void collectPaths(KnownKey node, String path, String name, List<String> found) {
        if (node instanceof KnownKey.Block block) {
            block.keys().forEach((key, child) -> {
                String at = path.isEmpty() ? key : path + "." + key;
                if (key.equals(name) && child instanceof KnownKey.Leaf leaf && leaf.use() == KnownKey.Use.READ) {
                    found.add(at);
                }
                collectPaths(child, at, name, found);
            });
        } else if (node instanceof KnownKey.ListOf list) {
            collectPaths(list.item(), path + "[]", name, found);
        }
    }
}
