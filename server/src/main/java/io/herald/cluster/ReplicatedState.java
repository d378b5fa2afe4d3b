package io.herald.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.cluster.ChannelFacts.Key;
import java.util.HashSet;
import java.util.Set;

/**
 * The part of one node's state that the other nodes keep a copy of: its presence members (and
 * signed-in users, as members of a pseudo-channel) and, for apps whose channel facts are wanted,
 * its occupied channels. Each node has one for itself and one per other node.
 *
 * <p>The digest is a sum of a 64-bit hash of every member and occupied channel, kept as they come
 * and go: two copies with the same content have the same digest whatever order they were built
 * in, so a heartbeat can carry it and a receiver compare it with its copy in constant time.
 * Members are written on one thread and read by any; occupied channels on that thread only.
 */
final class ReplicatedState {
    private final PresenceTable presence = new PresenceTable();
    private final Set<Key> occupied = new HashSet<>();
    private long digest;

    /** True when the user was not in the channel (a changed user_info alone is no news). */
    boolean join(String appId, String channel, String userId, String userInfoJson) {
        boolean added = presence.add(appId, channel, userId, userInfoJson);
        if (added) {
            digest += ChannelOwners.weight(appId, channel, userId);
        }
        return added;
    }

    /** True when the user was in the channel. */
    boolean leave(String appId, String channel, String userId) {
        boolean removed = presence.remove(appId, channel, userId);
        if (removed) {
            digest -= ChannelOwners.weight(appId, channel, userId);
        }
        return removed;
    }

    /** True when the channel's occupancy changed. */
    boolean occupancy(Key channel, boolean isOccupied) {
        boolean changed = isOccupied ? occupied.add(channel) : occupied.remove(channel);
        if (changed) {
            long weight = ChannelOwners.weight("#occupied", channel.appId(), channel.channel());
            digest += isOccupied ? weight : -weight;
        }
        return changed;
    }

    boolean has(String appId, String channel, String userId) {
        return presence.has(appId, channel, userId);
    }

    boolean occupied(Key channel) {
        return occupied.contains(channel);
    }

    PresenceTable presence() {
        return presence;
    }

    /** The occupied channels (a copy). */
    Set<Key> occupiedChannels() {
        return Set.copyOf(occupied);
    }

    long digest() {
        return digest;
    }

    /** {@code {app: [channel]}} */
    ObjectNode occupiedJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        for (Key key : occupied) {
            (json.has(key.appId()) ? (ArrayNode) json.get(key.appId()) : json.putArray(key.appId())).add(key.channel());
        }
        return json;
    }

    static Set<Key> occupiedFromJson(JsonNode json) {
        Set<Key> channels = new HashSet<>();
        json.properties().forEach(app -> app.getValue().forEach(channel -> channels.add(Key.channel(app.getKey(), channel.asText()))));
        return channels;
    }
}
