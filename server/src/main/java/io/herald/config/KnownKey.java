package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One node of the tree of configuration keys Herald knows: Sockudo's (every key its options
 * read) and Herald's own. The tree drives three start-up checks on the merged config files: an
 * unknown key is warned about with the closest known one, an ignored key is warned about with
 * the reason, a refused key stops start-up with the reason.
 */
sealed interface KnownKey {

    /** What Herald does with a key that is set. */
    enum Use {
        /** Herald reads it (the readers of {@link ConfigLoader} say anything there is to say). */
        READ,
        /** Accepted and ignored: a warning at start-up names it and says why. */
        IGNORED,
        /** Start-up stops with a message naming it and saying why. */
        REFUSED
    }

    /**
     * A key holding a value (whatever its JSON type: what is inside is not checked here).
     * {@code harmless}: values that ask for what Herald does anyway, so they need no message.
     */
    record Leaf(Use use, String reason, List<JsonNode> harmless) implements KnownKey {
        public Leaf {
            harmless = List.copyOf(harmless);
        }

        boolean isHarmless(JsonNode value) {
            return harmless.contains(value);
        }
    }

    /**
     * An object with these keys. {@code enabledByDefault} is set for a feature switched by its own
     * {@code enabled} key: while the feature is off (by that key or by Sockudo's default), its
     * ignored keys need no message, since they would do nothing in Sockudo either.
     */
    record Block(Map<String, KnownKey> keys, Boolean enabledByDefault) implements KnownKey {
        public Block {
            keys = Map.copyOf(keys);
        }
    }

    /** A list whose every item is {@code item}. */
    record ListOf(KnownKey item) implements KnownKey {}
}
