package io.herald.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The presence members one node holds: (app, channel) -> user id -> user_info JSON. Written by
 * one thread, read by any.
 */
final class PresenceTable {
    /** ConcurrentHashMap takes no null values: this stands for "no user_info". */
    private static final String NO_INFO = "";

    private final ConcurrentHashMap<ChannelKey, ConcurrentHashMap<String, String>> channels = new ConcurrentHashMap<>();

    record ChannelKey(String appId, String channel) {}

    /** A member as the table reports it to a visitor. */
    @FunctionalInterface
    interface MemberVisitor {
        void visit(String appId, String channel, String userId);
    }

    /** Adds a member or replaces their user_info; true when they were not in the channel. */
    boolean add(String appId, String channel, String userId, String userInfoJson) {
        return channels.computeIfAbsent(new ChannelKey(appId, channel), key -> new ConcurrentHashMap<>())
                .put(userId, userInfoJson == null ? NO_INFO : userInfoJson) == null;
    }

    boolean remove(String appId, String channel, String userId) {
        boolean[] removed = new boolean[1];
        channels.computeIfPresent(new ChannelKey(appId, channel), (key, users) -> {
            removed[0] = users.remove(userId) != null;
            return users.isEmpty() ? null : users;
        });
        return removed[0];
    }

    boolean has(String appId, String channel, String userId) {
        Map<String, String> users = channels.get(new ChannelKey(appId, channel));
        return users != null && users.containsKey(userId);
    }

    /** A member's user_info JSON, or null when they gave none (or are not a member). */
    String userInfo(String appId, String channel, String userId) {
        Map<String, String> users = channels.get(new ChannelKey(appId, channel));
        String info = users == null ? null : users.get(userId);
        return info == null || info.equals(NO_INFO) ? null : info;
    }

    /** Adds this table's members of a channel to {@code out} (user id -> user_info or null). */
    void copyMembers(String appId, String channel, Map<String, String> out) {
        Map<String, String> users = channels.get(new ChannelKey(appId, channel));
        if (users != null) {
            users.forEach((userId, info) -> out.putIfAbsent(userId, info.equals(NO_INFO) ? null : info));
        }
    }

    void forEach(MemberVisitor visitor) {
        channels.forEach((key, users) -> users.keySet().forEach(userId -> visitor.visit(key.appId(), key.channel(), userId)));
    }

    /** {@code {app: {channel: {user id: user_info JSON text or null}}}} */
    ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        channels.forEach((key, users) -> {
            ObjectNode app = root.has(key.appId()) ? (ObjectNode) root.get(key.appId()) : root.putObject(key.appId());
            ObjectNode channel = app.putObject(key.channel());
            users.forEach((userId, info) -> {
                if (info.equals(NO_INFO)) {
                    channel.putNull(userId);
                } else {
                    channel.put(userId, info);
                }
            });
        });
        return root;
    }

    static PresenceTable fromJson(JsonNode root) {
        PresenceTable table = new PresenceTable();
        root.properties().forEach(app -> app.getValue().properties().forEach(channel ->
                channel.getValue().properties().forEach(user -> table.add(app.getKey(), channel.getKey(), user.getKey(),
                        user.getValue().isTextual() ? user.getValue().asText() : null))));
        return table;
    }
}
