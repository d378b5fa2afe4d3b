package io.herald.channel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct users of a presence channel on this node, with how many of their connections are in it.
 * A user is "added" with their first connection and "removed" with their last.
 */
final class PresenceRoster {
    private static final class Member {
        final String userInfoJson;
        int connections;

        Member(String userInfoJson) {
            this.userInfoJson = userInfoJson;
        }
    }

    enum JoinResult { FIRST_CONNECTION, ANOTHER_CONNECTION, FULL }

    private final LinkedHashMap<String, Member> members = new LinkedHashMap<>();

    /**
     * Adds a connection of {@code userId}. {@code othersElsewhere} are the channel's members on
     * other nodes: they count towards {@code maxMembers} too.
     */
    synchronized JoinResult join(String userId, String userInfoJson, int maxMembers, Map<String, String> othersElsewhere) {
        Member member = members.get(userId);
        if (member == null) {
            if (!othersElsewhere.containsKey(userId) && distinctWith(othersElsewhere) >= maxMembers) {
                return JoinResult.FULL;
            }
            member = new Member(userInfoJson);
            members.put(userId, member);
            member.connections = 1;
            return JoinResult.FIRST_CONNECTION;
        }
        member.connections++;
        return JoinResult.ANOTHER_CONNECTION;
    }

    private int distinctWith(Map<String, String> othersElsewhere) {
        int distinct = members.size();
        for (String userId : othersElsewhere.keySet()) {
            if (!members.containsKey(userId)) {
                distinct++;
            }
        }
        return distinct;
    }

    /** Returns true when this was the user's last connection in the channel. */
    synchronized boolean leave(String userId) {
        Member member = members.get(userId);
        if (member == null) {
            return false;
        }
        if (--member.connections > 0) {
            return false;
        }
        members.remove(userId);
        return true;
    }

    synchronized int userCount() {
        return members.size();
    }

    /** user id -> user_info as raw JSON (null when the user gave none). */
    synchronized Map<String, String> snapshot() {
        Map<String, String> copy = new LinkedHashMap<>();
        members.forEach((id, member) -> copy.put(id, member.userInfoJson));
        return copy;
    }
}
