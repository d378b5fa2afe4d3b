package io.herald.cluster;

import java.util.HashSet;
import java.util.Set;

/**
 * What one node (or, merged, the whole cluster) knows of a channel: its subscriptions and, for
 * presence channels, the distinct user ids. Ids rather than counts, because one user may be
 * connected to several nodes and must count once.
 */
public record ChannelSnapshot(int subscriptionCount, Set<String> userIds) {
    public static final ChannelSnapshot EMPTY = new ChannelSnapshot(0, Set.of());

    public ChannelSnapshot {
        userIds = Set.copyOf(userIds);
    }

    public boolean occupied() {
        return subscriptionCount > 0;
    }

    public ChannelSnapshot merge(ChannelSnapshot other) {
        Set<String> users = new HashSet<>(userIds);
        users.addAll(other.userIds);
        return new ChannelSnapshot(subscriptionCount + other.subscriptionCount, users);
    }
}
