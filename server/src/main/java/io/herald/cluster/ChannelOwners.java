package io.herald.cluster;

import java.util.Collection;

/**
 * Which node decides a channel's cluster-wide facts: rendezvous hashing over the deciding nodes.
 * Every node computes the same owner from the same set of node ids, and when a node comes or goes
 * only the channels it owns (or will own) change hands.
 */
public final class ChannelOwners {
    private ChannelOwners() {}

    /** The owner of {@code channel} of {@code appId} among {@code nodes}, or null when there are none. */
    public static String ownerOf(Collection<String> nodes, String appId, String channel) {
        String owner = null;
        long best = 0;
        for (String node : nodes) {
            long weight = weight(node, appId, channel);
            if (owner == null || Long.compareUnsigned(weight, best) > 0
                    || (weight == best && node.compareTo(owner) < 0)) {
                owner = node;
                best = weight;
            }
        }
        return owner;
    }

    /** A 64-bit hash of the three strings that is the same in every JVM (FNV-1a, then a final mix). */
    static long weight(String node, String appId, String channel) {
        long hash = 0xcbf29ce484222325L;
        hash = mix(hash, node);
        hash = mix(hash, appId);
        hash = mix(hash, channel);
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }

    private static long mix(long hash, String text) {
        for (int i = 0; i < text.length(); i++) {
            hash = (hash ^ text.charAt(i)) * 0x100000001b3L;
        }
        return (hash ^ 0xffff) * 0x100000001b3L; // a separator no char of the text can be confused with
    }
}
