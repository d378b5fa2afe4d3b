package io.herald.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.cluster.ChannelSnapshot;
import io.herald.wire.ChannelType;
import io.herald.wire.Jsons;
import java.util.LinkedHashSet;
import java.util.Set;

/** The {@code info} attributes a caller may ask about a channel, and how they are written. */
final class ChannelAttributes {
    static final String SUBSCRIPTION_COUNT = "subscription_count";
    static final String USER_COUNT = "user_count";
    /** The kept event of a cache channel; only the single-channel query answers it. */
    static final String CACHE = "cache";

    private ChannelAttributes() {}

    /** Parses {@code info=a,b}; unknown attributes are ignored, as hosted Pusher does. */
    static Set<String> parse(String info) {
        Set<String> attributes = new LinkedHashSet<>();
        if (info != null) {
            for (String attribute : info.split(",")) {
                String trimmed = attribute.trim();
                if (trimmed.equals(SUBSCRIPTION_COUNT) || trimmed.equals(USER_COUNT) || trimmed.equals(CACHE)) {
                    attributes.add(trimmed);
                }
            }
        }
        return attributes;
    }

    /** Writes the requested counts; {@code user_count} only for presence channels. */
    static ObjectNode write(String channel, ChannelSnapshot snapshot, Set<String> attributes) {
        ObjectNode node = Jsons.MAPPER.createObjectNode();
        if (attributes.contains(SUBSCRIPTION_COUNT)) {
            node.put(SUBSCRIPTION_COUNT, snapshot.subscriptionCount());
        }
        if (attributes.contains(USER_COUNT) && ChannelType.of(channel).isPresence()) {
            node.put(USER_COUNT, snapshot.userIds().size());
        }
        return node;
    }
}
