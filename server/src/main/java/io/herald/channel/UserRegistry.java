package io.herald.channel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Signed-in users on this node: app -> user id -> that user's connections here. */
final class UserRegistry {
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Set<Connection>>> apps = new ConcurrentHashMap<>();

    /** Returns true when this is the user's first connection on this node. */
    boolean add(String appId, String userId, Connection connection) {
        boolean[] first = new boolean[1];
        users(appId).compute(userId, (id, connections) -> {
            if (connections == null) {
                connections = new HashSet<>(2);
                first[0] = true;
            }
            connections.add(connection);
            return connections;
        });
        return first[0];
    }

    /** Returns true when that was the user's last connection on this node. */
    boolean remove(String appId, String userId, Connection connection) {
        boolean[] last = new boolean[1];
        users(appId).computeIfPresent(userId, (id, connections) -> {
            connections.remove(connection);
            last[0] = connections.isEmpty();
            return last[0] ? null : connections;
        });
        return last[0];
    }

    List<Connection> connections(String appId, String userId) {
        List<Connection> result = new ArrayList<>();
        users(appId).computeIfPresent(userId, (id, connections) -> {
            result.addAll(connections);
            return connections;
        });
        return result;
    }

    Set<String> online(String appId, Set<String> candidates) {
        ConcurrentHashMap<String, Set<Connection>> users = users(appId);
        Set<String> online = new HashSet<>();
        for (String id : candidates) {
            if (users.containsKey(id)) {
                online.add(id);
            }
        }
        return online;
    }

    private ConcurrentHashMap<String, Set<Connection>> users(String appId) {
        return apps.computeIfAbsent(appId, id -> new ConcurrentHashMap<>());
    }
}
